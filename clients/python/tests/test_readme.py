"""The README's example runs as written (against a fake service instead of the demo)."""

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


def example_code() -> str:
    """The first ``python`` block after the README's "## Example" heading."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("\n## Example"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no python block in the README's example section"
    return match.group(1)


@unittest.skipUnless(all(support.has_module(m) for m in NEEDED), "xarray and matplotlib needed")
@unittest.skipUnless(support.has_module("netCDF4") or support.has_module("scipy"), "no netCDF engine")
class ReadmeExampleTest(unittest.TestCase):
    def test_example_runs(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        levels = list(range(0, 1001, 10))
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
            cwd = os.getcwd()
            os.chdir(tmp)
            printed = io.StringIO()
            try:
                with redirect_stdout(printed):
                    exec(compile(code.replace(DEMO_URL, service.base_url), README, "exec"), {"__name__": "readme"})
            finally:
                os.chdir(cwd)
                import matplotlib.pyplot as plt

                plt.close("all")
            self.assertTrue(os.path.getsize(os.path.join(tmp, "temp_section.png")) > 0)
            self.assertTrue(os.path.getsize(os.path.join(tmp, "argo_2024-01.nc")) > 0)
            query = service.last().query
        self.assertIn("2024-01", printed.getvalue())
        self.assertEqual(query["depth"], "0:1000:10")
        self.assertEqual(query["bbox"], "-30,40,-15,55")
        self.assertEqual((query["start"], query["end"]), ("2024-01-01", "2024-02-01"))


if __name__ == "__main__":
    unittest.main()
