"""Integration tests against a live service loaded with the shared GDAC sample.

Run only when both are set:

- ``ARGO_SERVICE_URL``: the service's base URL, e.g. ``http://127.0.0.1:8080``;
- ``ARGO_REFERENCE_JSON``: the path of ``shared/argo-gdac-sample/expected/reference.json``.

The service must have built the sample's months (``npm run build-index`` with ``ARGO_GDAC`` at
the sample). For every month that ``months()`` lists, the profiles of that month are fetched in
``standard`` mode on the reference depth levels, on the same levels as pressure, and on native
levels, and compared with the reference to 1e-4 (SEMANTICS.md). The window ceiling forbids one
query over the whole sample, so the queries go month by month.
"""

from __future__ import annotations

import json
import math
import os
import unittest
import warnings
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

import support

from argoprofiles import ArgoNotFoundError, ArgoQueryError, Client, Profile

SERVICE_URL = os.environ.get("ARGO_SERVICE_URL", "").strip()
REFERENCE_JSON = os.environ.get("ARGO_REFERENCE_JSON", "").strip()
TOLERANCE = 1e-4
VARIABLES = ["TEMP", "PSAL", "PRES"]
SKIP_REASON = "set ARGO_SERVICE_URL and ARGO_REFERENCE_JSON (path of reference.json) to run the live tests"
LIVE = bool(SERVICE_URL) and bool(REFERENCE_JSON) and os.path.isfile(REFERENCE_JSON)


def month_of(time_ms: int) -> str:
    return datetime.fromtimestamp(time_ms / 1000, timezone.utc).strftime("%Y-%m")


def month_window(month: str) -> Tuple[str, str]:
    year, mon = (int(x) for x in month.split("-"))
    nxt = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return f"{year:04d}-{mon:02d}-01", f"{nxt[0]:04d}-{nxt[1]:02d}-01"


def compare(name: str, got: Optional[Sequence[Optional[float]]], want: Optional[Sequence[Optional[float]]]) -> List[str]:
    """Differences between two level arrays: ``null`` matches ``null``, numbers within 1e-4.

    A whole-variable ``null`` in the reference (the float lacks it) matches ``null`` or an array
    of nulls.
    """
    if want is None:
        if got is None or all(v is None for v in got):
            return []
        return [f"{name}: expected null, got {list(got)[:5]}..."]
    if got is None:
        return [f"{name}: got null, expected {list(want)[:5]}..."]
    if len(got) != len(want):
        return [f"{name}: {len(got)} levels, expected {len(want)}"]
    problems = []
    for i, (g, w) in enumerate(zip(got, want)):
        if g is None and w is None:
            continue
        if g is None or w is None or not abs(round(g, 6) - round(w, 6)) <= TOLERANCE + 1e-9:
            problems.append(f"{name}[{i}]: got {g}, expected {w}")
    return problems[:5]


@unittest.skipUnless(LIVE, SKIP_REASON)
class LiveServiceTest(unittest.TestCase):
    client: Client
    reference: Dict[str, Any]
    levels: List[float]
    months: List[str]
    included_by_month: Dict[str, List[str]]

    @classmethod
    def setUpClass(cls) -> None:
        with open(REFERENCE_JSON, encoding="utf-8") as f:
            cls.reference = json.load(f)
        cls.levels = cls.reference["levels"]
        cls.client = Client(SERVICE_URL, timeout=120)
        cls.months = [m.month for m in cls.client.months()]
        cls.included_by_month = {}
        for pid, ref in cls.reference["profiles"].items():
            if ref.get("time_ms") is not None and ref["standard"]["included"]:
                cls.included_by_month.setdefault(month_of(ref["time_ms"]), []).append(pid)

    def fetch(self, month: str, **query: Any) -> List[Profile]:
        start, end = month_window(month)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a built month: never truncated, never missing
            result = self.client.profiles(start, end, mode="standard", variables=VARIABLES, **query)
        self.assertFalse(result.truncated, month)
        self.assertEqual(result.months_missing, [], month)
        profiles = list(result)
        self.assertEqual(result.matched, len(profiles), month)
        return profiles

    def check_month_set_and_metadata(self, month: str, profiles: List[Profile]) -> None:
        expected = sorted(self.included_by_month.get(month, []))
        self.assertEqual(sorted(p.id for p in profiles), expected, f"{month}: profiles returned")
        keys = [(p.time_ms, p.platform_number, p.cycle_number, p.direction) for p in profiles]
        self.assertEqual(keys, sorted(keys), f"{month}: time order")
        for p in profiles:
            ref = self.reference["profiles"][p.id]
            self.assertEqual(
                (p.platform_number, p.cycle_number, p.direction, p.data_mode, p.time_ms),
                (ref["platform_number"], ref["cycle_number"], ref["direction"], ref["data_mode"], ref["time_ms"]),
                p.id,
            )
            self.assertAlmostEqual(p.latitude, ref["latitude"], delta=TOLERANCE, msg=p.id)
            self.assertAlmostEqual(p.longitude, ref["longitude"], delta=TOLERANCE, msg=p.id)

    def test_service_lists_the_sample_months(self) -> None:
        self.assertTrue(self.months, "months() is empty: build the sample's months first")
        missing = sorted(set(self.included_by_month) - set(self.months))
        self.assertEqual(missing, [], "sample months with standard profiles that the service has not built")
        info = self.client.month(self.months[0])
        self.assertEqual(info.month, self.months[0])

    def test_standard_on_depth_levels(self) -> None:
        for month in self.months:
            with self.subTest(month=month):
                profiles = self.fetch(month, depth=self.levels)
                self.check_month_set_and_metadata(month, profiles)
                for p in profiles:
                    ref = self.reference["profiles"][p.id]["standard"]["depth"]
                    self.assertEqual(p.depth, [float(x) for x in self.levels], p.id)
                    problems = [d for v in VARIABLES for d in compare(v, p.variables.get(v), ref.get(v))]
                    self.assertEqual(problems, [], p.id)

    def test_standard_on_pressure_levels(self) -> None:
        for month in self.months:
            with self.subTest(month=month):
                profiles = self.fetch(month, depth=self.levels, vertical="pressure")
                self.check_month_set_and_metadata(month, profiles)
                for p in profiles:
                    ref = self.reference["profiles"][p.id]["standard"]["pressure"]
                    self.assertEqual(p.pressure, [float(x) for x in self.levels], p.id)
                    problems = [d for v in VARIABLES for d in compare(v, p.variables.get(v), ref.get(v))]
                    self.assertEqual(problems, [], p.id)

    def test_standard_on_native_levels(self) -> None:
        for month in self.months:
            with self.subTest(month=month):
                profiles = self.fetch(month)
                self.check_month_set_and_metadata(month, profiles)
                for p in profiles:
                    ref = self.reference["profiles"][p.id]["standard"]["native"]
                    problems = compare("depth", p.depth, ref["depth"]) + compare("pressure", p.pressure, ref.get("PRES"))
                    problems += [d for v in VARIABLES for d in compare(v, p.variables.get(v), ref.get(v))]
                    self.assertEqual(problems, [], p.id)

    def busiest_month(self) -> str:
        built = [m for m in self.months if m in self.included_by_month]
        if not built:
            self.skipTest("no built month holds a standard reference profile")
        return max(built, key=lambda m: len(self.included_by_month[m]))

    @unittest.skipUnless(support.has_module("pandas"), "pandas not installed")
    def test_dataframe_conversion(self) -> None:
        month = self.busiest_month()
        n = len(self.included_by_month[month])
        start, end = month_window(month)
        df = self.client.profiles(start, end, depth=self.levels, variables=VARIABLES).to_dataframe()
        self.assertEqual(df.shape[0], n * len(self.levels))
        self.assertEqual(list(df.columns)[:9], ["id", "platform_number", "cycle_number", "direction", "data_mode",
                                                "time", "latitude", "longitude", "depth"])
        self.assertEqual(list(df.columns)[9:], VARIABLES)
        self.assertEqual(str(df["time"].dtype), "datetime64[ns, UTC]")
        df_native = self.client.profiles(start, end, variables=VARIABLES).to_dataframe()
        native_levels = sum(len(self.reference["profiles"][i]["standard"]["native"]["depth"]) for i in self.included_by_month[month])
        self.assertEqual(df_native.shape[0], native_levels)
        self.assertIn("pressure", df_native.columns)

    @unittest.skipUnless(support.has_module("xarray"), "xarray not installed")
    def test_xarray_conversion(self) -> None:
        month = self.busiest_month()
        ids = self.included_by_month[month]
        start, end = month_window(month)
        ds = self.client.profiles(start, end, depth=self.levels, variables=VARIABLES).to_xarray()
        self.assertEqual(dict(ds.sizes), {"profile": len(ids), "level": len(self.levels)})
        self.assertEqual(ds["depth"].dims, ("level",))
        self.assertEqual(ds["TEMP"].attrs["units"], "degree_Celsius")
        self.assertEqual(ds["TEMP"].attrs["standard_name"], "sea_water_temperature")
        self.assertEqual(ds["PSAL"].attrs["standard_name"], "sea_water_practical_salinity")
        self.assertEqual(ds["depth"].attrs["positive"], "down")
        self.assertEqual(ds.attrs["featureType"], "profile")
        first = str(ds["id"].values[0])
        want = self.reference["profiles"][first]["standard"]["depth"]["TEMP"]
        got = [None if math.isnan(v) else v for v in ds["TEMP"].values[0].tolist()]
        self.assertEqual(compare("TEMP", got, want), [])
        native = self.client.profiles(start, end, variables=VARIABLES).to_xarray()
        longest = max(len(self.reference["profiles"][i]["standard"]["native"]["depth"]) for i in ids)
        self.assertEqual(dict(native.sizes), {"profile": len(ids), "level": longest})
        self.assertEqual(native["depth"].dims, ("profile", "level"))
        self.assertEqual(native["pressure"].dims, ("profile", "level"))

    def test_a_result_converts_twice_and_every_member_is_an_item(self) -> None:
        month = self.busiest_month()
        start, end = month_window(month)
        result = self.client.profiles(start, end, depth=self.levels, variables=VARIABLES)
        profiles = result.to_list()
        self.assertEqual(len(profiles), len(self.included_by_month[month]))
        if support.has_module("pandas"):
            self.assertEqual(len(result.to_dataframe()), len(profiles) * len(self.levels))
        if support.has_module("xarray"):
            self.assertEqual(result.to_xarray().sizes["profile"], len(profiles))
        self.assertEqual([p.id for p in result], [p.id for p in profiles])
        for p in profiles:
            self.assertEqual(p["id"], p.id)
            self.assertEqual(p["time"], p.time)
            for name in p:
                p[name]  # every member of the line is reachable
            self.assertEqual(set(p.keys()) >= {"id", "platform_number", "cycle_number", "time", "latitude",
                                                "longitude", "depth", *VARIABLES}, True, sorted(p.keys()))

    def test_count_agrees_with_the_stream(self) -> None:
        month = self.busiest_month()
        start, end = month_window(month)
        counts = self.client.count(start, end, mode="standard")
        self.assertEqual(counts.matched, len(self.included_by_month[month]))
        self.assertFalse(counts.truncated)
        self.assertEqual(counts.months_missing, [])

    def test_all_pages_concatenate_to_the_uncapped_result(self) -> None:
        month = self.busiest_month()
        ids = self.included_by_month[month]
        if len(ids) < 2:
            self.skipTest("the busiest month has one standard profile: nothing to page")
        start, end = month_window(month)
        full = [p.id for p in self.client.profiles(start, end, variables=VARIABLES)]
        paged = self.client.profiles(start, end, variables=VARIABLES, max_profiles=1, all=True, warn=False)
        self.assertTrue(paged.truncated)
        if paged.next is None:
            self.skipTest("the service sends no Link rel=next yet (cursors not implemented)")
        self.assertEqual([p.id for p in paged], full)
        self.assertEqual(paged.pages, len(full))

    def test_a_floats_profiles(self) -> None:
        month = self.busiest_month()
        pid = self.included_by_month[month][0]
        wmo = self.reference["profiles"][pid]["platform_number"]
        expected = sorted(
            i for m, month_ids in self.included_by_month.items() if m in self.months for i in month_ids
            if self.reference["profiles"][i]["platform_number"] == wmo
        )
        try:
            info = self.client.platform(wmo)
        except ArgoNotFoundError:
            self.skipTest("the service has no /v1/platforms/{wmo} route yet")
        self.assertEqual(info.platform_number, wmo)
        got = sorted(p.id for p in self.client.platform_profiles(wmo, mode="standard", variables=VARIABLES, all=True))
        self.assertEqual(got, expected)

    def test_bad_parameters_are_named(self) -> None:
        with self.assertRaises(ArgoQueryError) as ctx:
            self.client.profiles("2020-01-01", "2020-02-01", depth="abc")
        self.assertIn("depth", ctx.exception.parameters)
        with self.assertRaises(ArgoQueryError) as ctx:  # longer than the window ceiling
            self.client.profiles("1997-01-01", "2024-01-01")
        self.assertTrue(ctx.exception.parameters, str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
