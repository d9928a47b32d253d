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
        with self.assertRaises(RuntimeError):
            list(result)

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
