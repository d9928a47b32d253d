"""``Client.profiles``: request encoding, headers, streaming and errors, against a fake service."""

from __future__ import annotations

import socket
import threading
import unittest
import warnings
from datetime import date, datetime, timezone

import support
from support import NATIVE_A, NATIVE_B, PROBLEM_400, FakeService, Reply, depth_profile, json_reply, ndjson, ndjson_reply

from argoprofiles import (
    ArgoConnectionError,
    ArgoError,
    ArgoHTTPError,
    ArgoMonthsMissingWarning,
    ArgoQueryError,
    ArgoStreamError,
    ArgoTruncatedWarning,
    Client,
    Profile,
)

PATH = ("GET", "/v1/profiles")


class ProfilesTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService().__enter__()
        self.addCleanup(self.service.__exit__)
        self.client = Client(self.service.base_url, timeout=5)


class RequestTest(ProfilesTestCase):
    def test_parameters_are_encoded_as_the_api_names_them(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        result = self.client.profiles(
            datetime(2023, 4, 1),
            date(2023, 5, 1),
            depth=[0, 10, 20],
            variables=["temp", "psal", "pres"],
            mode="research",
            vertical="pressure",
            bbox=(-40, 20, -10, 50),
            platform=["6903247", 5906072],
            max_profiles=50,
        )
        list(result)
        seen = self.service.last()
        self.assertEqual(
            seen.query,
            {
                "start": "2023-04-01T00:00:00Z",
                "end": "2023-05-01",
                "depth": "0,10,20",
                "variables": "TEMP,PSAL,PRES",
                "mode": "research",
                "vertical": "pressure",
                "bbox": "-40,20,-10,50",
                "platform": "6903247,5906072",
                "max_profiles": "50",
                "format": "ndjson",
            },
        )
        self.assertIn("depth=0,10,20", seen.raw_query)  # readable, not %2C
        self.assertEqual(seen.headers.get("Accept"), "application/x-ndjson")
        self.assertEqual(result.query["depth"], "0,10,20")

    def test_defaults_are_left_to_the_server(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        list(self.client.profiles("2023-04-01", "2023-05-01"))
        self.assertEqual(self.service.last().query, {"start": "2023-04-01", "end": "2023-05-01", "format": "ndjson"})

    def test_range_and_string_depth(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        list(self.client.profiles("2023-04-01", "2023-05-01", depth=range(0, 1001, 10)))
        self.assertEqual(self.service.last().query["depth"], "0:1000:10")
        list(self.client.profiles("2023-04-01", "2023-05-01", depth="0:100:5"))
        self.assertEqual(self.service.last().query["depth"], "0:100:5")

    def test_base_url_path_prefix_and_token(self) -> None:
        self.service.routes[("GET", "/argo/v1/profiles")] = ndjson_reply([])
        client = Client(self.service.base_url + "/argo/", token="s3cret")
        list(client.profiles("2023-04-01", "2023-05-01"))
        self.assertEqual(self.service.last().path, "/argo/v1/profiles")
        self.assertEqual(self.service.last().headers.get("Authorization"), "Bearer s3cret")

    def test_v11_parameters_are_encoded_as_the_api_names_them(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        list(self.client.profiles(
            "2024-01-01", "2024-02-01", dataset="bgc", variables=["doxy", "chla", "bbp700"], fields="positions",
            polygon=[(-30, 40), (-15, 40), (-15, 55), (-30, 40)], near=(-20, 45.5), radius_km=300, cursor="abc=",
        ))
        seen = self.service.last()
        self.assertEqual(seen.query, {
            "start": "2024-01-01", "end": "2024-02-01", "dataset": "bgc", "variables": "DOXY,CHLA,BBP700",
            "fields": "positions", "polygon": "-30,40,-15,40,-15,55", "near": "-20,45.5", "radius_km": "300",
            "cursor": "abc=", "format": "ndjson",
        })
        self.assertIn("polygon=-30,40,-15,40,-15,55", seen.raw_query)

    def test_bad_v11_arguments_fail_before_any_request(self) -> None:
        cases = [
            ({"variables": ["TEMP", "DOXY"]}, "add dataset='bgc'"),
            ({"dataset": "bio"}, "'phy' or 'bgc'"),
            ({"fields": "levels"}, "'positions'"),
            ({"polygon": [(0, 0), (1, 1)]}, "at least 3 distinct"),
            ({"near": (0, 0)}, "go together"),
            ({"near": (0, 91), "radius_km": 10}, "latitude 91"),
        ]
        for kwargs, text in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ValueError) as ctx:
                    self.client.profiles("2024-01-01", "2024-02-01", **kwargs)  # type: ignore[arg-type]
                self.assertIn(text, str(ctx.exception))
        self.assertEqual(self.service.requests, [])

    def test_api_key_header(self) -> None:
        self.service.routes[PATH] = ndjson_reply([])
        client = Client(self.service.base_url, api_key="k-123")
        list(client.profiles("2024-01-01", "2024-02-01"))
        self.assertEqual(self.service.last().headers.get("X-API-Key"), "k-123")
        self.assertNotIn("k-123", repr(client))
        list(self.client.profiles("2024-01-01", "2024-02-01"))
        self.assertNotIn("X-API-Key", self.service.last().headers)

    def test_wrong_types_fail_before_any_request(self) -> None:
        with self.assertRaises(ValueError):
            self.client.profiles("2023-04-01", "2023-05-01", bbox=(1, 2, 3))
        with self.assertRaises(TypeError):
            self.client.profiles("2023-04-01", "2023-05-01", max_profiles=2.5)  # type: ignore[arg-type]
        self.assertEqual(self.service.requests, [])


class ResultTest(ProfilesTestCase):
    def test_headers_are_attributes_and_profiles_are_objects(self) -> None:
        lines = [depth_profile(1), depth_profile(2)]
        self.service.routes[PATH] = ndjson_reply(lines, matched=7, truncated=True, months_missing="2023-05, 2023-06")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = self.client.profiles("2023-04-01", "2023-07-01", depth=support.LEVELS, max_profiles=2)
        self.assertEqual(result.matched, 7)
        self.assertTrue(result.truncated)
        self.assertEqual(result.months_missing, ["2023-05", "2023-06"])
        profiles = list(result)
        self.assertEqual(result.count, 2)
        self.assertTrue(result.closed)
        p = profiles[0]
        self.assertIsInstance(p, Profile)
        self.assertEqual(p.id, "coriolis/6903241/profiles/R6903241_001.nc")
        self.assertEqual(p.platform_number, "6903241")
        self.assertEqual(p.cycle_number, 1)
        self.assertEqual((p.direction, p.data_mode), ("A", "R"))
        self.assertEqual(p.time, datetime(2024, 1, 1, 5, 41, 0, 1000, tzinfo=timezone.utc))
        self.assertEqual(p.time_ms, 1704087660001)
        self.assertAlmostEqual(p.latitude, 35.19)
        self.assertEqual(p.depth, [0, 10, 20, 50])
        self.assertIsNone(p.pressure)
        self.assertEqual(p["TEMP"], [21.0, 20.5, None, 15.25])
        self.assertEqual(p.variables["PSAL"], [38.9, 38.95, 39.0, None])
        self.assertIn("PSAL", p)
        self.assertNotIn("PRES", p)
        self.assertEqual(p.n_levels, 4)

    def test_native_levels_carry_both_coordinates_and_null_variables(self) -> None:
        self.service.routes[PATH] = ndjson_reply([NATIVE_A, NATIVE_B])
        a, b = list(self.client.profiles("1997-07-01", "1997-08-01"))
        self.assertEqual(a.depth, NATIVE_A["depth"])
        self.assertEqual(a.pressure, NATIVE_A["pressure"])
        self.assertIsNone(a["PSAL"])
        self.assertEqual(a.time_ms, 870206580002)
        self.assertEqual((a.n_levels, b.n_levels), (3, 5))

    def test_unknown_members_are_kept(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(1, DOXY=[1.0, 2.0, None, 3.0], ocean="A")])
        (p,) = list(self.client.profiles("2024-01-01", "2024-02-01"))
        self.assertEqual(p["DOXY"], [1.0, 2.0, None, 3.0])
        self.assertEqual(p.extra, {"ocean": "A"})

    def test_every_member_of_the_line_is_an_item(self) -> None:
        line = depth_profile(1, ocean="A", parameter_data_mode={"DOXY": "A"}, DOXY=[1.0, None, 2.0, 3.0])
        self.service.routes[PATH] = ndjson_reply([line])
        (p,) = list(self.client.profiles("2024-01-01", "2024-02-01"))
        self.assertEqual(list(p.keys()), list(line.keys()))  # the line's members, in its order
        self.assertEqual(len(p), len(line))
        for name in line:
            with self.subTest(name=name):
                self.assertIn(name, p)
                if name == "time":  # documented members come typed, as the attributes
                    self.assertEqual(p[name], p.time)
                    self.assertEqual(p[name], datetime(2024, 1, 1, 5, 41, 0, 1000, tzinfo=timezone.utc))
                else:
                    self.assertEqual(p[name], line[name])
        self.assertEqual((p["id"], p["platform_number"], p["cycle_number"]), (p.id, "6903241", 1))
        self.assertEqual(p["latitude"], p.latitude)
        self.assertEqual(p["depth"], [0, 10, 20, 50])
        self.assertEqual(p["parameter_data_mode"], {"DOXY": "A"})
        self.assertEqual(p.parameter_data_mode, {"DOXY": "A"})
        # None of them, or all: a name the line does not have is a KeyError, whatever it is.
        for missing in ("pressure", "PRES", "nope", "variables"):
            with self.subTest(missing=missing):
                self.assertNotIn(missing, p)
                with self.assertRaises(KeyError):
                    p[missing]
                self.assertIsNone(p.get(missing))
        as_dict = dict(p)
        self.assertEqual(as_dict["TEMP"], line["TEMP"])
        self.assertEqual(set(as_dict), set(line))

    def test_null_direction_and_data_mode(self) -> None:
        line = depth_profile(1, data_mode=None)
        del line["direction"]
        self.service.routes[PATH] = ndjson_reply([line])
        (p,) = list(self.client.profiles("2024-01-01", "2024-02-01"))
        self.assertEqual((p.direction, p.data_mode), ("", ""))
        self.assertNotIn("direction", p)
        self.assertEqual(p["data_mode"], "")

    def test_a_hand_built_profile_is_a_mapping_too(self) -> None:
        p = Profile(id="x", platform_number="1", cycle_number=1, direction="A", data_mode="R",
                    time=datetime(2024, 1, 1, tzinfo=timezone.utc), latitude=1.0, longitude=2.0,
                    depth=[5.0], variables={"TEMP": [20.0]})
        self.assertEqual(p["TEMP"], [20.0])
        self.assertEqual(p["depth"], [5.0])
        self.assertNotIn("pressure", p)
        self.assertIn("id", p)

    def test_missing_headers(self) -> None:
        self.service.routes[PATH] = Reply(body=ndjson(depth_profile(1)), content_type="application/x-ndjson")
        result = self.client.profiles("2024-01-01", "2024-02-01")
        self.assertIsNone(result.matched)
        self.assertFalse(result.truncated)
        self.assertEqual(result.months_missing, [])
        self.assertEqual(len(list(result)), 1)

    def test_incomplete_results_warn(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(1)], matched=3, truncated=True, months_missing="2024-02")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.client.profiles("2024-01-01", "2024-03-01", max_profiles=1).close()
        kinds = {w.category for w in caught}
        self.assertEqual(kinds, {ArgoTruncatedWarning, ArgoMonthsMissingWarning})
        self.assertTrue(all(w.filename == __file__ for w in caught), [w.filename for w in caught])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.client.profiles("2024-01-01", "2024-03-01", warn=False).close()
        self.assertEqual(caught, [])

    def test_a_stream_is_read_once(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(1)])
        result = self.client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual(len(list(result)), 1)
        with self.assertRaises(RuntimeError) as ctx:
            list(result)
        self.assertIn("to_list()", str(ctx.exception))
        with self.assertRaises(RuntimeError):  # what plain iteration read was not kept
            result.to_list()

    def test_a_kept_result_can_be_read_again(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(1), depth_profile(2)])
        result = self.client.profiles("2024-01-01", "2024-02-01")
        first = result.to_list()
        self.assertEqual([p.cycle_number for p in first], [1, 2])
        self.assertEqual(result.to_list(), first)
        self.assertEqual([p.cycle_number for p in result], [1, 2])  # iteration reads the kept profiles
        self.assertEqual(list(result), first)
        self.assertEqual(len(self.service.requests), 1)
        self.assertIn("kept", repr(result))

    def test_a_failed_stream_is_never_converted_silently(self) -> None:
        lines = [depth_profile(1), {"error": {"status": 502, "message": "GDAC unreachable"}}]
        self.service.routes[PATH] = ndjson_reply(lines)
        result = self.client.profiles("2024-01-01", "2024-02-01")
        for _ in range(2):
            with self.assertRaises(ArgoStreamError) as ctx:
                result.to_list()
            self.assertEqual((ctx.exception.status, ctx.exception.profiles_read), (502, 1))

    def test_close_early_and_context_manager(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(i) for i in range(1, 6)])
        with self.client.profiles("2024-01-01", "2024-02-01") as result:
            first = next(iter(result))
            self.assertEqual(first.cycle_number, 1)
        self.assertTrue(result.closed)
        self.assertIn("closed", repr(result))


class StreamingTest(ProfilesTestCase):
    def test_profiles_are_yielded_as_they_arrive(self) -> None:
        gate = threading.Event()
        self.service.routes[PATH] = ndjson_reply([depth_profile(1), depth_profile(2)], gate=gate)
        result = self.client.profiles("2024-01-01", "2024-02-01")
        it = iter(result)
        # The server holds the second line until the gate opens: the first profile must come
        # through before that (a buffering client would time out here).
        self.assertEqual(next(it).cycle_number, 1)
        gate.set()
        self.assertEqual(next(it).cycle_number, 2)
        self.assertEqual(list(it), [])

    def test_gzip_body_is_decoded_incrementally(self) -> None:
        lines = [depth_profile(i) for i in range(1, 8)]
        self.service.routes[PATH] = ndjson_reply(lines, gzip=True)
        result = self.client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual([p.cycle_number for p in result], list(range(1, 8)))
        self.assertEqual(self.service.last().headers.get("Accept-Encoding"), "gzip")

    def test_compression_can_be_turned_off(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(1)])
        list(Client(self.service.base_url, compress=False).profiles("2024-01-01", "2024-02-01"))
        self.assertNotEqual(self.service.last().headers.get("Accept-Encoding"), "gzip")

    def test_error_line_raises_when_iteration_reaches_it(self) -> None:
        lines = [depth_profile(1), depth_profile(2), {"error": {"status": 502, "message": "GDAC unreachable"}}]
        self.service.routes[PATH] = ndjson_reply(lines, matched=5)
        result = self.client.profiles("2024-01-01", "2024-02-01")
        seen = []
        with self.assertRaises(ArgoStreamError) as ctx:
            for p in result:
                seen.append(p.cycle_number)
        self.assertEqual(seen, [1, 2])
        err = ctx.exception
        self.assertEqual(err.status, 502)
        self.assertEqual(err.message, "GDAC unreachable")
        self.assertEqual(err.profiles_read, 2)
        self.assertIn("502", str(err))
        self.assertIn("after 2 profile(s)", str(err))
        self.assertIsInstance(err, ArgoError)
        self.assertTrue(result.closed)

    def test_error_line_in_a_gzip_body(self) -> None:
        lines = [depth_profile(1), {"error": {"status": 504, "message": "timeout"}}]
        self.service.routes[PATH] = ndjson_reply(lines, gzip=True)
        with self.assertRaises(ArgoStreamError) as ctx:
            list(self.client.profiles("2024-01-01", "2024-02-01"))
        self.assertEqual(ctx.exception.status, 504)

    def test_connection_cut_mid_body_is_not_silent(self) -> None:
        chunks = ndjson(depth_profile(1)) + [b'{"id": "half a li']
        self.service.routes[PATH] = Reply(body=chunks, cut=True, content_type="application/x-ndjson")
        result = self.client.profiles("2024-01-01", "2024-02-01")
        it = iter(result)
        self.assertEqual(next(it).cycle_number, 1)
        with self.assertRaises(ArgoStreamError) as ctx:
            next(it)
        self.assertIsNone(ctx.exception.status)
        self.assertEqual(ctx.exception.profiles_read, 1)

    def test_gzip_body_cut_short_is_not_silent(self) -> None:
        lines = [depth_profile(i) for i in range(1, 8)]
        self.service.routes[PATH] = ndjson_reply(lines, gzip=True, cut=True)
        with self.assertRaises(ArgoStreamError):
            list(self.client.profiles("2024-01-01", "2024-02-01"))

    def test_unparseable_line_is_a_stream_error(self) -> None:
        self.service.routes[PATH] = Reply(body=ndjson(depth_profile(1)) + [b"not json\n"], content_type="application/x-ndjson")
        with self.assertRaises(ArgoStreamError) as ctx:
            list(self.client.profiles("2024-01-01", "2024-02-01"))
        self.assertIn("not json", str(ctx.exception))

    def test_read_timeout_mid_body(self) -> None:
        self.service.routes[PATH] = ndjson_reply([depth_profile(1), depth_profile(2)], stall=2.0)
        result = Client(self.service.base_url, timeout=0.3).profiles("2024-01-01", "2024-02-01")
        it = iter(result)
        next(it)
        with self.assertRaises(ArgoStreamError) as ctx:
            next(it)
        self.assertIn("timeout", str(ctx.exception))


class CountAndDownloadTest(ProfilesTestCase):
    def test_count_is_a_head_request(self) -> None:
        self.service.routes[("HEAD", "/v1/profiles")] = ndjson_reply(
            [], matched=1234, truncated=True, months_missing="2024-02", link='<?cursor=n1>; rel="next"'
        )
        counts = self.client.count("2024-01-01", "2024-03-01", bbox=(-40, 20, -10, 50), dataset="bgc",
                                   variables=["DOXY"], max_profiles=10)
        seen = self.service.last()
        self.assertEqual(seen.method, "HEAD")
        self.assertEqual(seen.query["bbox"], "-40,20,-10,50")
        self.assertEqual(seen.query["variables"], "DOXY")
        self.assertEqual((counts.matched, counts.truncated, counts.months_missing), (1234, True, ["2024-02"]))
        self.assertEqual(counts.next, self.service.base_url + "/v1/profiles?cursor=n1")

    def test_download_returns_the_body_in_the_format_asked(self) -> None:
        body = b'{"type":"FeatureCollection","features":[]}'
        self.service.routes[PATH] = Reply(body=body, content_type="application/geo+json",
                                          headers={"X-Argo-Profiles-Matched": "0", "X-Argo-Truncated": "false"})
        d = self.client.download("2024-01-01", "2024-02-01", "geojson", bbox=(-40, 20, -10, 50))
        seen = self.service.last()
        self.assertEqual(seen.query["format"], "geojson")
        self.assertEqual(seen.headers.get("Accept"), "application/geo+json")
        self.assertEqual((d.content, d.size, d.format, d.media_type), (body, len(body), "geojson", "application/geo+json"))
        self.assertEqual((d.matched, d.truncated), (0, False))

    def test_download_streams_to_a_file_and_undoes_gzip(self) -> None:
        import os
        import tempfile

        payload = bytes(range(256)) * 400  # binary, several chunks
        self.service.routes[PATH] = Reply(body=[payload[i:i + 5000] for i in range(0, len(payload), 5000)], gzip=True,
                                          content_type="application/vnd.apache.parquet",
                                          headers={"X-Argo-Truncated": "true", "X-Argo-Profiles-Matched": "9",
                                                   "Link": '</v1/profiles?format=parquet&cursor=p2>; rel="next"'})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.parquet")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                d = self.client.download("2024-01-01", "2024-02-01", "parquet", to=path, max_profiles=3)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), payload)
        self.assertIsNone(d.content)
        self.assertEqual(d.size, len(payload))
        self.assertTrue(d.truncated)
        self.assertEqual(d.next, self.service.base_url + "/v1/profiles?format=parquet&cursor=p2")
        self.assertEqual([w.category for w in caught], [ArgoTruncatedWarning])
        self.assertEqual(caught[0].filename, __file__)

    def test_download_refuses_an_unknown_format(self) -> None:
        with self.assertRaises(ValueError):
            self.client.download("2024-01-01", "2024-02-01", "xlsx")
        self.assertEqual(self.service.requests, [])


class HTTPErrorTest(ProfilesTestCase):
    def test_400_problem_names_the_bad_parameters(self) -> None:
        self.service.routes[PATH] = json_reply(PROBLEM_400, 400, content_type="application/problem+json")
        with self.assertRaises(ArgoQueryError) as ctx:
            self.client.profiles("2024-01-01", "2024-02-01", depth=[20, 10], bbox="x")
        err = ctx.exception
        self.assertEqual(err.status, 400)
        self.assertEqual(err.parameters, ["depth", "bbox"])
        self.assertEqual(err.errors[0].message, "levels must be ascending")
        self.assertEqual(err.detail, "2 invalid parameters")
        self.assertIn("depth: levels must be ascending", str(err))
        self.assertIn("bbox:", str(err))
        self.assertIsInstance(err, ArgoHTTPError)

    def test_400_without_errors_member(self) -> None:
        body = {"title": "Bad Request", "status": 400, "detail": "window longer than 366 days"}
        self.service.routes[PATH] = json_reply(body, 400, content_type="application/problem+json")
        with self.assertRaises(ArgoQueryError) as ctx:
            self.client.profiles("1997-01-01", "2024-01-01")
        self.assertEqual(ctx.exception.parameters, [])
        self.assertIn("window longer than 366 days", str(ctx.exception))

    def test_rfc7807_invalid_params_spelling(self) -> None:
        body = {"title": "Bad Request", "status": 400, "invalid-params": [{"name": "mode", "reason": "unknown"}]}
        self.service.routes[PATH] = json_reply(body, 400, content_type="application/problem+json")
        with self.assertRaises(ArgoQueryError) as ctx:
            self.client.profiles("2024-01-01", "2024-02-01", mode="fancy")
        self.assertEqual(ctx.exception.parameters, ["mode"])

    def test_gzip_problem_body(self) -> None:
        reply = json_reply(PROBLEM_400, 400, content_type="application/problem+json")
        reply.gzip = True
        self.service.routes[PATH] = reply
        with self.assertRaises(ArgoQueryError) as ctx:
            self.client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual(ctx.exception.parameters, ["depth", "bbox"])

    def test_other_statuses(self) -> None:
        self.service.routes[PATH] = json_reply({"title": "Service Unavailable", "status": 503, "detail": "overloaded"}, 503)
        with self.assertRaises(ArgoHTTPError) as ctx:
            self.client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual(ctx.exception.status, 503)
        self.assertNotIsInstance(ctx.exception, ArgoQueryError)
        self.assertIn("overloaded", str(ctx.exception))
        self.service.routes[PATH] = Reply(status=502, body=b"<html>Bad gateway</html>", content_type="text/html")
        with self.assertRaises(ArgoHTTPError) as ctx:
            self.client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual(ctx.exception.status, 502)
        self.assertIn("Bad gateway", str(ctx.exception))

    def test_unreachable_service(self) -> None:
        with socket.socket() as s:  # a port that was free a moment ago and is closed now
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(ArgoConnectionError):
            Client(f"http://127.0.0.1:{port}", timeout=2).profiles("2024-01-01", "2024-02-01")

    def test_base_url_must_be_http(self) -> None:
        with self.assertRaises(ValueError):
            Client("localhost:8080")


if __name__ == "__main__":
    unittest.main()
