"""Floats: ``platform(wmo)`` and ``platform_profiles(wmo, ...)``, against a fake service."""

from __future__ import annotations

import unittest
from datetime import datetime, timezone

import support  # noqa: F401  (first: puts ../src on sys.path)
from support import FakeService, Reply, Seen, depth_profile, json_reply, ndjson_reply

from argoprofiles import ArgoNotFoundError, Client, PlatformInfo

SUMMARY = {
    "platform_number": "6903247",
    "dac": "coriolis",
    "cycles": 24,
    "first_time": "2018-10-19T05:41:00.000Z",
    "last_time": "2019-06-30T11:00:00.000Z",
    "last_position": {"latitude": 34.19, "longitude": 26.0},
    "months": ["2018-10", "2018-11"],
    "parameters": ["PRES", "TEMP", "PSAL", "DOXY"],
    "dataset": ["phy", "bgc"],
}


class PlatformTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService().__enter__()
        self.addCleanup(self.service.__exit__)
        self.client = Client(self.service.base_url, timeout=5)


class PlatformSummaryTest(PlatformTestCase):
    def test_summary(self) -> None:
        self.service.routes[("GET", "/v1/platforms/6903247")] = json_reply(SUMMARY)
        info = self.client.platform(6903247)
        self.assertIsInstance(info, PlatformInfo)
        self.assertEqual((info.platform_number, info.dac, info.cycles), ("6903247", "coriolis", 24))
        self.assertEqual(info.first_time, datetime(2018, 10, 19, 5, 41, tzinfo=timezone.utc))
        self.assertEqual(info.last_time, datetime(2019, 6, 30, 11, tzinfo=timezone.utc))
        self.assertEqual((info.last_latitude, info.last_longitude), (34.19, 26.0))
        self.assertEqual(info.months, ["2018-10", "2018-11"])
        self.assertEqual(info.parameters, ["PRES", "TEMP", "PSAL", "DOXY"])
        self.assertEqual(info["dataset"], ["phy", "bgc"])  # every member the service sends

    def test_other_spellings_are_understood(self) -> None:
        body = {"wmo": "13857", "cycles": [1, 2, 3], "last_position": [-16.5, 0.5],
                "months": [{"month": "1997-07", "profiles": 3}], "parameters": {"TEMP": "R", "PRES": "R"}}
        self.service.routes[("GET", "/v1/platforms/13857")] = json_reply({"platform": body})
        info = self.client.platform("13857")
        self.assertEqual((info.platform_number, info.cycles), ("13857", 3))
        self.assertEqual((info.last_latitude, info.last_longitude), (0.5, -16.5))  # GeoJSON order: lon, lat
        self.assertEqual(info.months, ["1997-07"])
        self.assertEqual(info.parameters, ["TEMP", "PRES"])
        self.assertIsNone(info.first_time)

    def test_unknown_float_and_bad_numbers(self) -> None:
        with self.assertRaises(ArgoNotFoundError):
            self.client.platform("1900000")
        with self.assertRaises(ValueError):
            self.client.platform("../admin/builds")
        self.assertEqual([r.path for r in self.service.requests], ["/v1/platforms/1900000"])


class PlatformProfilesTest(PlatformTestCase):
    def test_all_of_a_floats_profiles_page_after_page(self) -> None:
        profiles = [depth_profile(1, platform_number="6903247", cycle_number=c) for c in range(1, 6)]

        def route(seen: Seen) -> Reply:
            after = int(seen.query.get("cursor", "0"))
            rest = [p for p in profiles if p["cycle_number"] > after]
            page = rest[:2]
            more = len(rest) > 2
            link = f'</v1/platforms/6903247/profiles?max_profiles=2&cursor={page[-1]["cycle_number"]}>; rel="next"'
            return ndjson_reply(page, matched=len(rest), truncated=more, link=link if more else None)

        self.service.routes[("GET", "/v1/platforms/6903247/profiles")] = route
        result = self.client.platform_profiles(6903247, depth=[0, 10, 20, 50], mode="research", max_profiles=2, all=True)
        self.assertEqual([p.cycle_number for p in result], [1, 2, 3, 4, 5])
        first = self.service.requests[0]
        self.assertEqual(first.query, {"depth": "0,10,20,50", "mode": "research", "max_profiles": "2", "format": "ndjson"})
        self.assertEqual([r.query.get("cursor") for r in self.service.requests], [None, "2", "4"])

    def test_window_dataset_and_variables(self) -> None:
        self.service.routes[("GET", "/v1/platforms/3902131/profiles")] = ndjson_reply([])
        list(self.client.platform_profiles("3902131", start="2018-01-01", end="2019-01-01", dataset="bgc",
                                           variables=["DOXY"], fields="positions"))
        self.assertEqual(self.service.last().query, {"start": "2018-01-01", "end": "2019-01-01", "dataset": "bgc",
                                                     "variables": "DOXY", "fields": "positions", "format": "ndjson"})
        with self.assertRaises(ValueError):
            self.client.platform_profiles("3902131", variables=["DOXY"])


if __name__ == "__main__":
    unittest.main()
