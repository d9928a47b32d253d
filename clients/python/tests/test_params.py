"""Encoding of Python values into query parameters (no server)."""

from __future__ import annotations

import unittest
from datetime import date, datetime, timedelta, timezone

import support

from argoprofiles.models import parse_time
from argoprofiles.params import (
    format_bbox,
    format_depth,
    format_instant,
    format_month,
    format_platform,
    format_variables,
    parse_levels,
)


class FormatInstantTest(unittest.TestCase):
    def test_strings_pass_through(self) -> None:
        self.assertEqual(format_instant(" 2023-04-01 "), "2023-04-01")
        self.assertEqual(format_instant("2023-04-01T12:00:00+02:00"), "2023-04-01T12:00:00+02:00")
        with self.assertRaises(ValueError):
            format_instant("  ")

    def test_date(self) -> None:
        self.assertEqual(format_instant(date(2023, 4, 1)), "2023-04-01")

    def test_naive_datetime_is_utc(self) -> None:
        self.assertEqual(format_instant(datetime(2023, 4, 1, 6, 30)), "2023-04-01T06:30:00Z")

    def test_aware_datetime_is_converted_to_utc(self) -> None:
        tz = timezone(timedelta(hours=-3))
        self.assertEqual(format_instant(datetime(2023, 4, 1, 22, 0, tzinfo=tz)), "2023-04-02T01:00:00Z")

    def test_milliseconds_kept_and_sub_millisecond_rounded_up(self) -> None:
        self.assertEqual(format_instant(datetime(2023, 4, 1, 0, 0, 0, 123000)), "2023-04-01T00:00:00.123Z")
        # a profile at .123 is before .1231, so the bound becomes .124 (same selection)
        self.assertEqual(format_instant(datetime(2023, 4, 1, 0, 0, 0, 123100)), "2023-04-01T00:00:00.124Z")
        self.assertEqual(format_instant(datetime(2023, 4, 1, 23, 59, 59, 999500)), "2023-04-02T00:00:00Z")

    @unittest.skipUnless(support.has_module("numpy"), "numpy not installed")
    def test_numpy_datetime64(self) -> None:
        import numpy as np

        self.assertEqual(format_instant(np.datetime64("2023-04-01T06:00")), "2023-04-01T06:00:00.000Z")
        self.assertEqual(format_instant(np.datetime64("2023-04-01T06:00:00.000001")), "2023-04-01T06:00:00.001Z")

    @unittest.skipUnless(support.has_module("pandas"), "pandas not installed")
    def test_pandas_timestamp(self) -> None:
        import pandas as pd

        self.assertEqual(format_instant(pd.Timestamp("2023-04-01T06:00Z")), "2023-04-01T06:00:00Z")

    def test_wrong_type(self) -> None:
        with self.assertRaises(TypeError):
            format_instant(20230401)


class ParseTimeTest(unittest.TestCase):
    def test_service_times(self) -> None:
        utc = timezone.utc
        self.assertEqual(parse_time("2018-10-19T05:41:00.000Z"), datetime(2018, 10, 19, 5, 41, tzinfo=utc))
        self.assertEqual(parse_time("2018-10-19T05:41:00.1Z"), datetime(2018, 10, 19, 5, 41, 0, 100000, tzinfo=utc))
        self.assertEqual(parse_time("2018-10-19T05:41:00.123456789Z"), datetime(2018, 10, 19, 5, 41, 0, 123456, tzinfo=utc))
        self.assertEqual(parse_time("2018-10-19T07:41:00+02:00"), datetime(2018, 10, 19, 5, 41, tzinfo=utc))
        self.assertEqual(parse_time("2018-10-19T05:41:00"), datetime(2018, 10, 19, 5, 41, tzinfo=utc))


class FormatDepthTest(unittest.TestCase):
    def test_list_of_numbers(self) -> None:
        self.assertEqual(format_depth([0, 10, 20.0, 2.5]), "0,10,20,2.5")

    def test_range_becomes_start_stop_step_with_stop_included(self) -> None:
        self.assertEqual(format_depth(range(0, 101, 10)), "0:100:10")
        self.assertEqual(format_depth(range(0, 100, 10)), "0:90:10")
        self.assertEqual(format_depth(range(5, 6)), "5")

    def test_strings_pass_through(self) -> None:
        self.assertEqual(format_depth("0:100:10"), "0:100:10")
        self.assertEqual(format_depth("0,10,20"), "0,10,20")

    @unittest.skipUnless(support.has_module("numpy"), "numpy not installed")
    def test_numpy_array(self) -> None:
        import numpy as np

        self.assertEqual(format_depth(np.arange(0, 30, 10)), "0,10,20")
        self.assertEqual(format_depth(np.array([0.5, 1.0])), "0.5,1")

    def test_errors(self) -> None:
        for bad, exc in (([], ValueError), (range(0), ValueError), ([0, "x"], TypeError), ([float("nan")], ValueError), (5, TypeError), ([True], TypeError)):
            with self.subTest(bad=bad):
                with self.assertRaises(exc):
                    format_depth(bad)  # type: ignore[arg-type]

    def test_parse_levels(self) -> None:
        self.assertEqual(parse_levels("0:20:10"), [0.0, 10.0, 20.0])
        self.assertEqual(parse_levels("0:0.3:0.1"), [0.0, 0.1, 0.2, 0.3])
        self.assertEqual(parse_levels(range(0, 21, 10)), [0.0, 10.0, 20.0])
        self.assertEqual(parse_levels([5, 7.5]), [5.0, 7.5])
        self.assertIsNone(parse_levels(None))
        self.assertIsNone(parse_levels("a,b"))
        self.assertIsNone(parse_levels("10:0:1"))


class OtherParamsTest(unittest.TestCase):
    def test_bbox(self) -> None:
        self.assertEqual(format_bbox((-40, 20.5, -10, 50)), "-40,20.5,-10,50")
        self.assertEqual(format_bbox([170, -10, -170, 10]), "170,-10,-170,10")  # crosses 180°
        self.assertEqual(format_bbox("1,2,3,4"), "1,2,3,4")
        with self.assertRaises(ValueError):
            format_bbox((1, 2, 3))
        with self.assertRaises(TypeError):
            format_bbox(5)  # type: ignore[arg-type]

    def test_platform(self) -> None:
        self.assertEqual(format_platform("6903247"), "6903247")
        self.assertEqual(format_platform(6903247), "6903247")
        self.assertEqual(format_platform(["6903247", 5906072]), "6903247,5906072")
        self.assertEqual(format_platform(" 1, 2 ,"), "1,2")
        with self.assertRaises(ValueError):
            format_platform([])

    def test_variables(self) -> None:
        self.assertEqual(format_variables(["temp", "PSAL"]), "TEMP,PSAL")
        self.assertEqual(format_variables("TEMP, pres"), "TEMP,PRES")
        with self.assertRaises(ValueError):
            format_variables([])

    def test_month(self) -> None:
        self.assertEqual(format_month("2023-04"), "2023-04")
        self.assertEqual(format_month(date(2023, 4, 17)), "2023-04")
        self.assertEqual(format_month(datetime(2023, 12, 1, 5)), "2023-12")
        self.assertEqual(format_month((2023, 4)), "2023-04")
        for bad in ("2023-4", "2023/04", "../x", (2023, 13)):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError):
                    format_month(bad)  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
