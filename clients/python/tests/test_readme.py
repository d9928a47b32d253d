"""The README's examples run as written (against a fake service instead of the demo)."""

from __future__ import annotations

import io
import os
import re
import tempfile
import unittest
from contextlib import redirect_stdout

import support
from support import FakeService, depth_profile, json_reply, ndjson_reply

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
DEMO_URL = "http://localhost:8080"
NEEDED = ("xarray", "matplotlib")


def example_code(heading: str = "\n## Example: a month") -> str:
    """The first ``python`` block after the README heading that starts with ``heading``."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index(heading):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block after {heading.strip()!r}"
    return match.group(1)


def run_example(code: str, service: FakeService, cwd: str) -> str:
    """Runs a README block against ``service`` in directory ``cwd``; returns what it printed."""
    here = os.getcwd()
    os.chdir(cwd)
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):
            exec(compile(code.replace(DEMO_URL, service.base_url), README, "exec"), {"__name__": "readme"})
    finally:
        os.chdir(here)
        import matplotlib.pyplot as plt

        plt.close("all")
    return printed.getvalue()


@unittest.skipUnless(all(support.has_module(m) for m in NEEDED), "xarray and matplotlib needed")
@unittest.skipUnless(support.has_module("netCDF4") or support.has_module("scipy"), "no netCDF engine")
class ReadmeExampleTest(unittest.TestCase):
    def test_example_runs(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        levels = list(range(10, 1001, 10))
        lines = []
        for i in range(1, 5):
            p = depth_profile(i, depth=levels, TEMP=[25.0 - 0.02 * z + i for z in levels], PSAL=None)
            lines.append(p)
        code = example_code()
        self.assertIn(DEMO_URL, code)
        self.assertLessEqual(len(code.strip().splitlines()), 12)
        with FakeService() as service, tempfile.TemporaryDirectory() as tmp:
            service.routes[("GET", "/v1/months")] = json_reply([{"month": "2024-01", "profiles": 4}])
            service.routes[("GET", "/v1/profiles")] = ndjson_reply(lines)
            printed = run_example(code, service, tmp)
            self.assertTrue(os.path.getsize(os.path.join(tmp, "temp_section.png")) > 0)
            self.assertTrue(os.path.getsize(os.path.join(tmp, "argo_2024-01.nc")) > 0)
            query = service.last().query
        self.assertIn("2024-01", printed)
        self.assertEqual(query["depth"], "10:1000:10")
        self.assertEqual(query["bbox"], "-30,40,-15,55")
        self.assertEqual((query["start"], query["end"]), ("2024-01-01", "2024-02-01"))

    def test_bgc_example_runs(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        levels = list(range(10, 1001, 10))
        lines = [
            depth_profile(i, depth=levels, data_mode=None, TEMP=[20.0 - 0.015 * z for z in levels],
                          DOXY=[250.0 - 0.1 * z + i for z in levels], PSAL=None,
                          parameter_data_mode={"PRES": "D", "TEMP": "D", "DOXY": "A"})
            for i in range(1, 4)
        ]
        code = example_code("\n## Example: an oxygen section")
        self.assertIn('dataset="bgc"', code)
        with FakeService() as service, tempfile.TemporaryDirectory() as tmp:
            service.routes[("GET", "/v1/profiles")] = ndjson_reply(lines)
            printed = run_example(code, service, tmp)
            self.assertTrue(os.path.getsize(os.path.join(tmp, "doxy_section.png")) > 0)
            query = service.last().query
        self.assertEqual(printed.strip(), "micromole/kg Dissolved oxygen")
        self.assertEqual((query["dataset"], query["variables"], query["depth"]), ("bgc", "TEMP,DOXY", "10:1000:10"))
        self.assertEqual((query["start"], query["end"]), ("2024-01-01", "2024-04-01"))


if __name__ == "__main__":
    unittest.main()
