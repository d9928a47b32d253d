"""Encoding of Python values into query parameters (no server)."""

from __future__ import annotations

import unittest
from datetime import date, datetime, timedelta, timezone

import support

from argoprofiles.models import parse_time
from argoprofiles.params import (
    format_bbox,
    format_dataset,
    format_depth,
    format_fields,
    format_format,
    format_instant,
    format_month,
    format_near,
    format_platform,
    format_polygon,
    format_radius,
    format_variables,
    format_wmo,
    parse_levels,
    profile_query,
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

    def test_bgc_variables_need_the_bgc_dataset(self) -> None:
        self.assertEqual(format_variables(["doxy", "CHLA", "bbp700", "TEMP"], dataset="bgc"), "DOXY,CHLA,BBP700,TEMP")
        self.assertEqual(format_variables("PH_IN_SITU_TOTAL,DOWN_IRRADIANCE490", dataset="bgc"),
                         "PH_IN_SITU_TOTAL,DOWN_IRRADIANCE490")
        for dataset in (None, "phy"):
            with self.subTest(dataset=dataset):
                with self.assertRaises(ValueError) as ctx:
                    format_variables(["TEMP", "DOXY"], dataset=dataset)
                self.assertIn("DOXY is a BGC parameter", str(ctx.exception))
                self.assertIn("dataset='bgc'", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            format_variables(["DOXY", "CHLA"])
        self.assertIn("DOXY, CHLA are BGC parameters", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            format_variables(["TEMP;drop", "9X"], dataset="bgc")
        self.assertIn("not an Argo parameter name", str(ctx.exception))

    def test_dataset_fields_and_format(self) -> None:
        self.assertEqual(format_dataset("BGC"), "bgc")
        self.assertEqual(format_dataset(" phy "), "phy")
        for bad in ("core", "", "synthetic"):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError) as ctx:
                    format_dataset(bad)
                self.assertIn("'phy' or 'bgc'", str(ctx.exception))
        with self.assertRaises(TypeError):
            format_dataset(1)  # type: ignore[arg-type]
        self.assertEqual(format_fields("positions"), "positions")
        with self.assertRaises(ValueError) as ctx:
            format_fields("position")
        self.assertIn("'positions'", str(ctx.exception))
        self.assertEqual(format_format("GeoJSON"), "geojson")
        for fmt in ("ndjson", "json", "csv", "geojson", "parquet", "arrow"):
            self.assertEqual(format_format(fmt), fmt)
        with self.assertRaises(ValueError) as ctx:
            format_format("xlsx")
        self.assertIn("parquet", str(ctx.exception))

    def test_wmo(self) -> None:
        self.assertEqual(format_wmo(6903247), "6903247")
        self.assertEqual(format_wmo(" 6903247 "), "6903247")
        for bad in ("69032x7", "../admin", "", True, 6.5):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError):
                    format_wmo(bad)  # type: ignore[arg-type]


class ShapeTest(unittest.TestCase):
    SQUARE = [(-30, 40), (-15, 40), (-15, 55), (-30, 55)]

    def test_polygon_from_vertices(self) -> None:
        self.assertEqual(format_polygon(self.SQUARE), "-30,40,-15,40,-15,55,-30,55")
        closed = self.SQUARE + [self.SQUARE[0]]
        self.assertEqual(format_polygon(closed), "-30,40,-15,40,-15,55,-30,55")  # open: the service closes it
        self.assertEqual(format_polygon([(170, -10), (-170, -10), (-170, 10), (170, 10.5)]),
                         "170,-10,-170,-10,-170,10,170,10.5")  # across the antimeridian, as given

    def test_polygon_other_forms(self) -> None:
        self.assertEqual(format_polygon([-30, 40, -15, 40, -15, 55]), "-30,40,-15,40,-15,55")
        geometry = {"type": "Polygon", "coordinates": [[[-30, 40], [-15, 40], [-15, 55], [-30, 40]]]}
        self.assertEqual(format_polygon(geometry), "-30,40,-15,40,-15,55")
        self.assertEqual(format_polygon({"type": "Feature", "properties": {}, "geometry": geometry}), "-30,40,-15,40,-15,55")
        self.assertEqual(format_polygon(" 1,2,3,4,5,6 "), "1,2,3,4,5,6")

        class Ring:  # the shapely interface: .exterior.coords and .interiors
            coords = [(-30.0, 40.0, 0.0), (-15.0, 40.0, 0.0), (-15.0, 55.0, 0.0), (-30.0, 40.0, 0.0)]

        class Shape:
            exterior = Ring()
            interiors: list = []

        self.assertEqual(format_polygon(Shape()), "-30,40,-15,40,-15,55")

    def test_polygon_errors(self) -> None:
        cases = [
            ([(0, 0), (1, 1)], ValueError, "at least 3 distinct"),
            ([(0, 0), (1, 1), (0, 0), (0, 0)], ValueError, "at least 3 distinct"),
            ([(0, 0, 1), (1, 1), (2, 0)], ValueError, "(lon, lat) pair"),
            ([(0, 0), (1, 1), (2, 95)], ValueError, "latitude 95"),
            ([(0, 0), (1, 1), (200, 5)], ValueError, "longitude 200"),
            ([(0, 0), (1, 1), (2, float("nan"))], ValueError, "finite"),
            ([(0, 0), (1, "1"), (2, 0)], TypeError, "number"),
            ([1, 2, 3], ValueError, "lon,lat pairs"),
            ({"type": "Point", "coordinates": [0, 0]}, ValueError, "Polygon"),
            ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]], [[0.2, 0.2], [0.3, 0.2], [0.3, 0.3]]]},
             ValueError, "holes"),
            ("", ValueError, "empty"),
            (5, TypeError, "list of (lon, lat)"),
        ]
        for value, exc, text in cases:
            with self.subTest(value=value):
                with self.assertRaises(exc) as ctx:
                    format_polygon(value)
                self.assertIn("polygon", str(ctx.exception))
                self.assertIn(text, str(ctx.exception))

    def test_near_and_radius(self) -> None:
        self.assertEqual(format_near((-20.5, 45)), "-20.5,45")
        self.assertEqual(format_near("-20.5, 45"), "-20.5,45")
        self.assertEqual(format_radius(250), "250")
        self.assertEqual(format_radius(12.5), "12.5")
        with self.assertRaises(ValueError) as ctx:
            format_near((45, -100))
        self.assertIn("latitude -100", str(ctx.exception))
        with self.assertRaises(ValueError):
            format_near("here")
        with self.assertRaises(ValueError):
            format_near((1, 2, 3))
        for bad in (0, -5, float("inf")):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError):
                    format_radius(bad)


class ProfileQueryTest(unittest.TestCase):
    def test_every_v11_parameter(self) -> None:
        query = profile_query(
            "2024-01-01", "2024-02-01", dataset="bgc", variables=["doxy", "temp"], fields="positions",
            polygon=[(-30, 40), (-15, 40), (-15, 55)], near=(-20, 45), radius_km=100, cursor="c1",
        )
        self.assertEqual(query, {
            "start": "2024-01-01", "end": "2024-02-01", "dataset": "bgc", "variables": "DOXY,TEMP",
            "fields": "positions", "polygon": "-30,40,-15,40,-15,55", "near": "-20,45", "radius_km": "100",
            "cursor": "c1",
        })

    def test_start_and_end_are_optional_for_platform_routes(self) -> None:
        self.assertEqual(profile_query(mode="research"), {"mode": "research"})

    def test_near_and_radius_go_together(self) -> None:
        for kwargs in ({"near": (0, 0)}, {"radius_km": 5}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ValueError) as ctx:
                    profile_query("2024-01-01", "2024-02-01", **kwargs)  # type: ignore[arg-type]
                self.assertIn("near=(lon, lat) and radius_km go together", str(ctx.exception))

    def test_cursor_must_be_text(self) -> None:
        for bad in ("", "  ", 5):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError):
                    profile_query("2024-01-01", "2024-02-01", cursor=bad)  # type: ignore[arg-type]

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
