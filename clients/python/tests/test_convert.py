"""``to_dataframe()`` and ``to_xarray()``; skipped where pandas / xarray are not installed."""

from __future__ import annotations

import os
import tempfile
import unittest

import support
from support import LEVELS, NATIVE_A, NATIVE_B, FakeService, Reply, depth_profile, ndjson, ndjson_reply

from argoprofiles import Client, Profile, to_dataframe, to_xarray

PATH = ("GET", "/v1/profiles")
HAS_PANDAS = support.has_module("pandas")
HAS_XARRAY = support.has_module("xarray")
NETCDF_ENGINE = "netcdf4" if support.has_module("netCDF4") else ("scipy" if support.has_module("scipy") else None)


class ConvertTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService().__enter__()
        self.addCleanup(self.service.__exit__)
        self.client = Client(self.service.base_url, timeout=5)

    def depth_result(self, n: int = 3, **query):  # type: ignore[no-untyped-def]
        self.service.routes[PATH] = ndjson_reply([depth_profile(i) for i in range(1, n + 1)], matched=n)
        return self.client.profiles("2024-01-01", "2024-02-01", depth=LEVELS, **query)

    def native_result(self):  # type: ignore[no-untyped-def]
        self.service.routes[PATH] = ndjson_reply([NATIVE_A, NATIVE_B])
        return self.client.profiles("1997-07-01", "1997-08-01")

    def bgc_result(self, headers=None, metadata=None):  # type: ignore[no-untyped-def]
        """Two synthetic-file profiles on LEVELS with DOXY, CHLA and BBP700 in mixed parameter modes."""
        a = depth_profile(1, data_mode=None, DOXY=[210.5, 208.0, None, 190.25], CHLA=[0.5, 0.4, 0.2, None],
                          BBP700=[0.001, None, 0.0008, 0.0005],
                          parameter_data_mode={"PRES": "D", "TEMP": "D", "PSAL": "D", "DOXY": "A", "CHLA": "R", "BBP700": "R"})
        b = depth_profile(2, data_mode=None, DOXY=[220.0, 219.0, 200.0, None], CHLA=None, BBP700=None,
                          parameter_data_mode={"PRES": "R", "TEMP": "R", "PSAL": "R", "DOXY": "D"})
        lines = ([{"metadata": metadata}] if metadata is not None else []) + [a, b]
        self.service.routes[PATH] = ndjson_reply(lines, matched=2, headers=headers)
        return self.client.profiles("2024-01-01", "2024-02-01", depth=LEVELS, dataset="bgc",
                                    variables=["TEMP", "PSAL", "DOXY", "CHLA", "BBP700"])

    def positions_result(self):  # type: ignore[no-untyped-def]
        lines = []
        for i in (1, 2, 3):
            p = depth_profile(i)
            for name in ("depth", "TEMP", "PSAL"):
                del p[name]
            lines.append(p)
        self.service.routes[PATH] = ndjson_reply(lines)
        return self.client.profiles("2024-01-01", "2024-02-01", fields="positions")


@unittest.skipUnless(HAS_PANDAS, "pandas not installed")
class DataFrameTest(ConvertTestCase):
    def test_long_format_on_depth_levels(self) -> None:
        import pandas as pd

        df = self.depth_result(3).to_dataframe()
        self.assertEqual(len(df), 3 * len(LEVELS))
        self.assertEqual(
            list(df.columns),
            ["id", "platform_number", "cycle_number", "direction", "data_mode", "time", "latitude", "longitude",
             "depth", "TEMP", "PSAL"],
        )
        self.assertEqual(str(df["time"].dtype), "datetime64[ns, UTC]")
        self.assertEqual(df["time"].iloc[0], pd.Timestamp("2024-01-01T05:41:00.001Z"))
        self.assertEqual(df["cycle_number"].dtype.kind, "i")
        first = df[df["cycle_number"] == 1]
        self.assertEqual(first["depth"].tolist(), [0.0, 10.0, 20.0, 50.0])
        self.assertEqual(first["TEMP"].tolist()[:2], [21.0, 20.5])
        self.assertTrue(pd.isna(first["TEMP"].iloc[2]))  # null → NaN
        self.assertEqual(df.attrs["units"]["TEMP"], "degree_Celsius")
        self.assertEqual(df.attrs["matched"], 3)
        self.assertEqual(df.attrs["query"]["depth"], "0,10,20,50")

    def test_native_levels_have_both_coordinates(self) -> None:
        import pandas as pd

        df = self.native_result().to_dataframe()
        self.assertEqual(len(df), 3 + 5)
        self.assertIn("depth", df.columns)
        self.assertIn("pressure", df.columns)
        self.assertTrue(df["PSAL"].isna().all())  # the float has no PSAL
        self.assertEqual(df["pressure"].tolist()[:3], NATIVE_A["pressure"])
        self.assertEqual(df.groupby("id").size().to_dict(), {NATIVE_A["id"]: 3, NATIVE_B["id"]: 5})
        self.assertEqual(df["time"].iloc[0], pd.Timestamp(870206580002, unit="ms", tz="UTC"))

    def test_pressure_vertical_and_requested_variables(self) -> None:
        line = depth_profile(1)
        line["pressure"] = line.pop("depth")
        line["PRES"] = [0.0, 10.0, 20.0, 50.0]
        self.service.routes[PATH] = ndjson_reply([line])
        df = self.client.profiles("2024-01-01", "2024-02-01", depth=LEVELS, vertical="pressure",
                                  variables=["TEMP", "PSAL", "PRES"]).to_dataframe()
        self.assertEqual(list(df.columns)[8:], ["pressure", "TEMP", "PSAL", "PRES"])

    def test_empty_result_keeps_the_columns(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        df = self.client.profiles("2024-01-01", "2024-02-01", depth=LEVELS).to_dataframe()
        self.assertEqual(len(df), 0)
        self.assertEqual(list(df.columns)[-3:], ["depth", "TEMP", "PSAL"])
        self.assertEqual(str(df["time"].dtype), "datetime64[ns, UTC]")

    def test_from_a_kept_list(self) -> None:
        profiles = list(self.depth_result(2))
        df = to_dataframe(profiles + profiles)
        self.assertEqual(len(df), 4 * len(LEVELS))

    def test_inconsistent_lengths_are_refused(self) -> None:
        bad = Profile.from_json(depth_profile(1, TEMP=[1.0]))
        with self.assertRaises(ValueError):
            to_dataframe([bad])

    def test_a_result_converts_more_than_once(self) -> None:
        result = self.depth_result(3)
        df = result.to_dataframe()
        again = result.to_dataframe()
        self.assertTrue(df.equals(again))
        self.assertIsNot(df, again)
        if HAS_XARRAY:
            ds = result.to_xarray()
            self.assertEqual(ds.sizes["profile"], 3)
        self.assertEqual([p.cycle_number for p in result], [1, 2, 3])
        self.assertEqual(len(self.service.requests), 1)

    def test_bgc_columns_units_and_parameter_data_modes(self) -> None:
        df = self.bgc_result().to_dataframe()
        self.assertEqual(list(df.columns)[8:], ["depth", "TEMP", "PSAL", "DOXY", "CHLA", "BBP700",
                                                "PRES_DATA_MODE", "TEMP_DATA_MODE", "PSAL_DATA_MODE",
                                                "DOXY_DATA_MODE", "CHLA_DATA_MODE", "BBP700_DATA_MODE"])
        self.assertEqual(df.attrs["units"]["DOXY"], "micromole/kg")
        self.assertEqual(df.attrs["units"]["CHLA"], "mg/m3")
        self.assertEqual(df.attrs["units"]["BBP700"], "m-1")
        first, second = df[df["cycle_number"] == 1], df[df["cycle_number"] == 2]
        self.assertEqual(set(first["DOXY_DATA_MODE"]), {"A"})
        self.assertEqual(set(second["DOXY_DATA_MODE"]), {"D"})
        self.assertEqual(set(second["CHLA_DATA_MODE"]), {""})  # not in that profile
        self.assertTrue(second["CHLA"].isna().all())
        self.assertEqual(set(df["data_mode"]), {""})  # synthetic files: no profile-level mode

    def test_positions_are_one_row_per_profile(self) -> None:
        result = self.positions_result()
        df = result.to_dataframe()
        self.assertEqual(list(df.columns), ["id", "platform_number", "cycle_number", "direction", "data_mode", "time",
                                            "latitude", "longitude"])
        self.assertEqual(df["cycle_number"].tolist(), [1, 2, 3])
        self.assertEqual(df["latitude"].tolist(), [35.19, 36.19, 37.19])
        # A kept list of such profiles is recognised without the query.
        self.assertEqual(len(to_dataframe(result.to_list())), 3)


@unittest.skipUnless(HAS_XARRAY, "xarray not installed")
class XarrayTest(ConvertTestCase):
    def test_depth_levels_share_a_1d_coordinate(self) -> None:
        import numpy as np

        ds = self.depth_result(3).to_xarray()
        self.assertEqual(dict(ds.sizes), {"profile": 3, "level": len(LEVELS)})
        self.assertEqual(ds["depth"].dims, ("level",))
        self.assertEqual(ds["depth"].values.tolist(), [0.0, 10.0, 20.0, 50.0])
        self.assertEqual(ds["TEMP"].dims, ("profile", "level"))
        for name in ("time", "latitude", "longitude", "platform_number", "cycle_number", "id"):
            self.assertIn(name, ds.coords)
            self.assertEqual(ds[name].dims, ("profile",))
        self.assertEqual(ds["platform_number"].values.tolist(), ["6903241", "6903242", "6903243"])
        self.assertEqual(str(ds["time"].dtype), "datetime64[ns]")
        self.assertEqual(ds["time"].values[0], np.datetime64("2024-01-01T05:41:00.001"))
        self.assertTrue(np.isnan(ds["TEMP"].values[0, 2]))
        self.assertEqual(ds["TEMP"].values[1, 0], 22.0)

    def test_cf_attributes(self) -> None:
        ds = self.depth_result(2, variables=["TEMP", "PSAL", "PRES"]).to_xarray()
        expected = {
            "TEMP": ("sea_water_temperature", "degree_Celsius"),
            "PSAL": ("sea_water_practical_salinity", "psu"),
            "depth": ("depth", "m"),
            "latitude": ("latitude", "degrees_north"),
            "longitude": ("longitude", "degrees_east"),
        }
        for name, (standard_name, units) in expected.items():
            with self.subTest(name=name):
                self.assertEqual(ds[name].attrs["standard_name"], standard_name)
                self.assertEqual(ds[name].attrs["units"], units)
                self.assertTrue(ds[name].attrs["long_name"])
        self.assertEqual(ds["depth"].attrs["positive"], "down")
        self.assertEqual(ds["time"].attrs["standard_name"], "time")
        self.assertEqual(ds["id"].attrs["cf_role"], "profile_id")
        self.assertEqual(ds.attrs["featureType"], "profile")
        self.assertEqual(ds.attrs["profiles_matched"], 2)
        self.assertEqual(ds.attrs["truncated"], "false")
        self.assertEqual(ds.attrs["query_depth"], "0,10,20,50")

    def test_sel_on_the_level_coordinate(self) -> None:
        ds = self.depth_result(3).to_xarray()
        if not hasattr(ds, "set_xindex"):
            self.skipTest("xarray < 2022.10 has no index on non-dimension coordinates")
        at10 = ds.sel(depth=10)
        self.assertEqual(at10["TEMP"].values.tolist(), [20.5, 21.5, 22.5])
        self.assertEqual(ds.sel(depth=slice(10, 20)).sizes["level"], 2)

    def test_native_levels_are_padded_with_2d_coordinates(self) -> None:
        import numpy as np

        ds = self.native_result().to_xarray()
        self.assertEqual(dict(ds.sizes), {"profile": 2, "level": 5})
        self.assertEqual(ds["depth"].dims, ("profile", "level"))
        self.assertEqual(ds["pressure"].dims, ("profile", "level"))
        self.assertEqual(ds["pressure"].attrs["units"], "dbar")
        self.assertTrue(np.isnan(ds["depth"].values[0, 3:]).all())  # padding
        self.assertEqual(ds["depth"].values[1].tolist(), NATIVE_B["depth"])
        self.assertTrue(np.isnan(ds["PSAL"].values).all())
        self.assertEqual(ds.attrs["levels"], "native")

    def test_pressure_levels(self) -> None:
        line = depth_profile(1)
        line["pressure"] = line.pop("depth")
        self.service.routes[PATH] = ndjson_reply([line])
        ds = self.client.profiles("2024-01-01", "2024-02-01", depth=LEVELS, vertical="pressure").to_xarray()
        self.assertEqual(ds["pressure"].dims, ("level",))
        self.assertEqual(ds["pressure"].attrs["standard_name"], "sea_water_pressure")
        self.assertNotIn("depth", ds.coords)

    def test_from_kept_lists_of_several_queries(self) -> None:
        january = list(self.depth_result(2))
        february = list(self.depth_result(3))
        ds = to_xarray(january + february)
        self.assertEqual(dict(ds.sizes), {"profile": 5, "level": len(LEVELS)})
        self.assertEqual(ds["depth"].dims, ("level",))
        self.assertEqual(ds["depth"].attrs["units"], "m")

    def test_bgc_units_and_long_names_from_the_built_in_table(self) -> None:
        ds = self.bgc_result().to_xarray()
        expected = {
            "DOXY": ("micromole/kg", "Dissolved oxygen"),
            "CHLA": ("mg/m3", "Chlorophyll-A"),
            "BBP700": ("m-1", "Particle backscattering at 700 nanometers"),
            "TEMP": ("degree_Celsius", "Sea temperature in-situ ITS-90 scale"),
        }
        for name, (units, long_name) in expected.items():
            with self.subTest(name=name):
                self.assertEqual(ds[name].attrs["units"], units)
                self.assertEqual(ds[name].attrs["long_name"], long_name)
        self.assertEqual(ds["DOXY"].attrs["standard_name"], "moles_of_oxygen_per_unit_mass_in_sea_water")
        self.assertEqual(ds.attrs["dataset"], "bgc")
        self.assertIn("synthetic", ds.attrs["source"])

    def test_per_parameter_data_modes_run_along_profile(self) -> None:
        ds = self.bgc_result().to_xarray()
        self.assertEqual(ds["DOXY_DATA_MODE"].dims, ("profile",))
        self.assertEqual(ds["DOXY_DATA_MODE"].values.tolist(), ["A", "D"])
        self.assertEqual(ds["CHLA_DATA_MODE"].values.tolist(), ["R", ""])
        self.assertIn("DOXY", ds["DOXY_DATA_MODE"].attrs["long_name"])
        self.assertIn("DOXY_DATA_MODE", ds.coords)
        # Select the adjusted or delayed-mode oxygen, as argopy users do.
        good = ds["DOXY"].where(ds["DOXY_DATA_MODE"].isin(["A", "D"]))
        self.assertEqual(int(good.count()), 6)

    def test_the_services_metadata_wins_over_the_table(self) -> None:
        headers = {"X-Argo-Units": "DOXY=umol%2Fkg,NITRATE=micromole/kg"}
        metadata = {"variables": {"CHLA": {"units": "mg m-3", "long_name": "Chlorophyll-a from the file", "valid_min": 0},
                                  "BBP700": {"long_name": "Backscatter 700"}}}
        result = self.bgc_result(headers=headers, metadata=metadata)
        self.assertEqual(result.variable_metadata["DOXY"], {"units": "umol/kg"})  # the header: before the body
        ds = result.to_xarray()
        self.assertEqual(ds["DOXY"].attrs["units"], "umol/kg")
        self.assertEqual(ds["DOXY"].attrs["long_name"], "Dissolved oxygen")  # the rest from the table
        self.assertEqual(ds["CHLA"].attrs["units"], "mg m-3")
        self.assertEqual(ds["CHLA"].attrs["long_name"], "Chlorophyll-a from the file")
        self.assertEqual(ds["CHLA"].attrs["valid_min"], 0)
        self.assertEqual(ds["BBP700"].attrs["units"], "m-1")
        self.assertEqual(ds["BBP700"].attrs["long_name"], "Backscatter 700")
        self.assertEqual(ds.sizes["profile"], 2)  # the metadata line is not a profile
        self.assertEqual(result.to_dataframe().attrs["units"]["CHLA"], "mg m-3")

    def test_metadata_as_a_list_and_units_of_unknown_parameters(self) -> None:
        line = depth_profile(1, NITRATE=[1.0, 2.0, 3.0, 4.0], DOWN_IRRADIANCE490=[0.1, 0.05, None, None],
                             PH_IN_SITU_TOTAL=[8.1, 8.0, 7.9, 7.8], XYZ=[1.0, 1.0, 1.0, 1.0])
        meta = {"metadata": {"variables": [{"name": "XYZ", "units": "1", "long_name": "Something new"}]}}
        self.service.routes[PATH] = Reply(body=ndjson(line, meta), content_type="application/x-ndjson")
        ds = self.client.profiles("2024-01-01", "2024-02-01", depth=LEVELS, dataset="bgc",
                                  variables="NITRATE,DOWN_IRRADIANCE490,PH_IN_SITU_TOTAL,XYZ").to_xarray()
        self.assertEqual(ds["NITRATE"].attrs["units"], "micromole/kg")
        self.assertEqual(ds["DOWN_IRRADIANCE490"].attrs["units"], "W/m^2/nm")
        self.assertEqual(ds["DOWN_IRRADIANCE490"].attrs["long_name"], "Downwelling irradiance at 490 nanometers")
        self.assertEqual(ds["PH_IN_SITU_TOTAL"].attrs["units"], "dimensionless")
        self.assertEqual((ds["XYZ"].attrs["units"], ds["XYZ"].attrs["long_name"]), ("1", "Something new"))

    def test_positions_have_the_profile_dimension_only(self) -> None:
        ds = self.positions_result().to_xarray()
        self.assertEqual(dict(ds.sizes), {"profile": 3})
        self.assertEqual(list(ds.data_vars), [])
        self.assertEqual(ds["latitude"].values.tolist(), [35.19, 36.19, 37.19])
        self.assertEqual(ds.attrs["query_fields"], "positions")
        self.assertIn("positions", ds.attrs["levels"])

    @unittest.skipUnless(NETCDF_ENGINE, "no netCDF engine (netCDF4 or scipy)")
    def test_bgc_to_netcdf_keeps_units_and_modes(self) -> None:
        import xarray as xr

        ds = self.bgc_result().to_xarray()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bgc.nc")
            ds.to_netcdf(path, engine=NETCDF_ENGINE)
            with xr.open_dataset(path, engine=NETCDF_ENGINE) as back:
                back.load()
        self.assertEqual(back["DOXY"].attrs["units"], "micromole/kg")
        self.assertEqual([str(m) for m in back["DOXY_DATA_MODE"].values], ["A", "D"])

    def test_empty_result_labels_the_requested_levels(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        ds = self.client.profiles("2024-01-01", "2024-02-01", depth="0:50:10").to_xarray()
        self.assertEqual(dict(ds.sizes), {"profile": 0, "level": 6})
        self.assertEqual(ds["depth"].values.tolist(), [0, 10, 20, 30, 40, 50])
        self.assertIn("TEMP", ds)

    @unittest.skipUnless(NETCDF_ENGINE, "no netCDF engine (netCDF4 or scipy)")
    def test_to_netcdf_round_trip(self) -> None:
        import numpy as np
        import xarray as xr

        for result in (self.depth_result(3), self.native_result()):
            ds = result.to_xarray()
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "argo.nc")
                ds.to_netcdf(path, engine=NETCDF_ENGINE)
                with xr.open_dataset(path, engine=NETCDF_ENGINE) as back:
                    back.load()
            self.assertTrue(np.array_equal(back["time"].values, ds["time"].values))  # to the ms
            np.testing.assert_array_equal(back["TEMP"].values, ds["TEMP"].values)
            self.assertEqual(back["TEMP"].attrs["units"], "degree_Celsius")
            self.assertEqual(back.attrs["featureType"], "profile")
            self.assertEqual([str(p) for p in back["platform_number"].values], ds["platform_number"].values.tolist())

    @unittest.skipUnless(support.has_module("matplotlib"), "matplotlib not installed")
    def test_section_plot(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ds = self.depth_result(3).to_xarray()
        mesh = ds["TEMP"].plot(x="time", y="depth", yincrease=False)
        self.assertEqual(mesh.axes.get_ylabel(), "Depth [m]")
        plt.close("all")
        native = self.native_result().to_xarray()
        native.plot.scatter(x="time", y="depth", hue="TEMP", yincrease=False)
        plt.close("all")


if __name__ == "__main__":
    unittest.main()
