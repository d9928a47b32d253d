"""``months()``, ``month()`` and the admin builds, against a fake service."""

from __future__ import annotations

import io
import unittest
from contextlib import redirect_stderr
from datetime import date, datetime, timezone
from typing import Any, Dict, List

import support  # noqa: F401  (first: puts ../src on sys.path)
from support import FakeService, Reply, Seen, json_reply

from argoprofiles import (
    ArgoAuthError,
    ArgoBuildError,
    ArgoNotFoundError,
    ArgoQueryError,
    Build,
    Client,
    MonthInfo,
)

MONTH = {
    "month": "2023-04",
    "profiles": 4,
    "start": "2023-04-01T00:00:00.000Z",
    "end": "2023-05-01T00:00:00.000Z",
    "built_at": "2024-11-24T04:45:00.000Z",
    "failed": 1,
}


def build_state(status: str, done: int, total: int = 3, failed: int = 0) -> Dict[str, Any]:
    return {"id": "b-42", "status": status, "months": ["2023-01", "2023-02", "2023-03"],
            "progress": {"done": done, "total": total, "failed": failed}}


class ServiceTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService().__enter__()
        self.addCleanup(self.service.__exit__)
        self.client = Client(self.service.base_url, timeout=5, token="t0ken")


class MonthsTest(ServiceTestCase):
    def test_months_as_an_array(self) -> None:
        other = dict(MONTH, month="2023-05", profiles=0, failed=0)
        self.service.routes[("GET", "/v1/months")] = json_reply([MONTH, other])
        months = self.client.months()
        self.assertEqual([m.month for m in months], ["2023-04", "2023-05"])
        m = months[0]
        self.assertIsInstance(m, MonthInfo)
        self.assertEqual((m.profiles, m.failed), (4, 1))
        self.assertEqual(m.start, datetime(2023, 4, 1, tzinfo=timezone.utc))
        self.assertEqual(m.built_at, datetime(2024, 11, 24, 4, 45, tzinfo=timezone.utc))
        self.assertEqual(m["month"], "2023-04")
        self.assertEqual(m.failures, [])
        empty = MonthInfo.from_json(dict(MONTH, profiles=0, start=None, end=None))
        self.assertIsNone(empty.start)

    def test_months_wrapped_in_an_object(self) -> None:
        self.service.routes[("GET", "/v1/months")] = json_reply({"months": [MONTH]})
        self.assertEqual([m.month for m in self.client.months()], ["2023-04"])

    def test_one_month_with_its_failed_files(self) -> None:
        failure = {"id": "aoml/5906072/profiles/R5906072_121.nc", "reason": "not found on the GDAC (404)",
                   "date_update": "20230423223103"}
        detail = dict(MONTH, excluded=3, source="local sample", failures=[failure])
        self.service.routes[("GET", "/v1/months/2023-04")] = json_reply(detail)
        m = self.client.month(date(2023, 4, 9))
        self.assertEqual(m.month, "2023-04")
        self.assertEqual(m.failures, [failure])
        self.assertEqual(m["excluded"], 3)
        self.assertEqual(self.service.last().path, "/v1/months/2023-04")

    def test_unknown_month(self) -> None:
        with self.assertRaises(ArgoNotFoundError) as ctx:
            self.client.month("1990-01")
        self.assertEqual(ctx.exception.status, 404)
        with self.assertRaises(ValueError):
            self.client.month("1990-1")


class BuildTest(ServiceTestCase):
    def test_start_a_build_of_listed_months(self) -> None:
        self.service.routes[("POST", "/admin/builds")] = json_reply(
            build_state("queued", 0), 202, headers={"Location": "/admin/builds/b-42"}
        )
        build = self.client.build(months=["2023-01", date(2023, 2, 1), (2023, 3)])
        seen = self.service.last()
        self.assertEqual(seen.body, {"months": ["2023-01", "2023-02", "2023-03"]})
        self.assertEqual(seen.headers.get("Authorization"), "Bearer t0ken")
        self.assertEqual(seen.headers.get("Content-Type"), "application/json")
        self.assertIsInstance(build, Build)
        self.assertEqual((build.id, build.status, build.location), ("b-42", "queued", "/admin/builds/b-42"))
        self.assertEqual(build.progress.total, 3)
        self.assertFalse(build.finished)

    def test_start_a_build_of_a_range_and_of_one_month(self) -> None:
        self.service.routes[("POST", "/admin/builds")] = json_reply(build_state("queued", 0), 202)
        self.client.build(start="2023-01", end=date(2023, 6, 30))
        self.assertEqual(self.service.last().body, {"start": "2023-01", "end": "2023-06"})
        self.client.build(months="2023-04")
        self.assertEqual(self.service.last().body, {"months": ["2023-04"]})
        self.client.build(months="2023-04", allow_shrink=True)
        self.assertEqual(self.service.last().body, {"months": ["2023-04"], "allow_shrink": True})

    def test_argument_errors(self) -> None:
        for kwargs in ({}, {"start": "2023-01"}, {"months": ["2023-01"], "start": "2023-01", "end": "2023-02"}, {"months": []}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ValueError):
                    self.client.build(**kwargs)  # type: ignore[arg-type]
        self.assertEqual(self.service.requests, [])

    def test_wait_with_progress_callback(self) -> None:
        self.service.routes[("POST", "/admin/builds")] = json_reply(build_state("queued", 0), 202)
        self.service.routes[("GET", "/admin/builds/b-42")] = [
            json_reply(build_state("running", 1)),
            json_reply(build_state("running", 2, failed=1)),
            json_reply(build_state("succeeded", 3, failed=1)),
        ]
        snapshots: List[tuple] = []
        build = self.client.build(
            start="2023-01", end="2023-03", wait=True, poll=0.01,
            progress=lambda b: snapshots.append((b.status, b.progress.done, b.progress.failed)),
        )
        self.assertEqual(snapshots, [("queued", 0, 0), ("running", 1, 0), ("running", 2, 1), ("succeeded", 3, 1)])
        self.assertTrue(build.succeeded)
        self.assertEqual(build.progress.fraction, 1.0)

    def test_progress_true_prints_to_stderr(self) -> None:
        self.service.routes[("GET", "/admin/builds/b-42")] = [
            json_reply(build_state("running", 1)),
            json_reply(build_state("succeeded", 3)),
        ]
        build = self.client.get_build("b-42")
        err = io.StringIO()
        with redirect_stderr(err):
            build.wait(poll=0.01, progress=True)
        text = err.getvalue()
        self.assertIn("build b-42", text)
        self.assertIn("succeeded 100% (3/3)", text)
        self.assertTrue(text.endswith("\n"))

    def test_failed_build_raises_when_waiting(self) -> None:
        self.service.routes[("POST", "/admin/builds")] = json_reply(build_state("running", 0), 202)
        self.service.routes[("GET", "/admin/builds/b-42")] = json_reply(build_state("failed", 1, failed=2))
        with self.assertRaises(ArgoBuildError) as ctx:
            self.client.build(months=["2023-01"], wait=True, poll=0.01)
        self.assertEqual(ctx.exception.build.status, "failed")
        self.assertIn("b-42 failed", str(ctx.exception))
        build = self.client.get_build("b-42").wait(poll=0.01, check=False)
        self.assertEqual(build.status, "failed")

    def test_wait_timeout(self) -> None:
        self.service.routes[("GET", "/admin/builds/b-42")] = json_reply(build_state("running", 1))
        with self.assertRaises(TimeoutError):
            self.client.get_build("b-42").wait(poll=0.05, timeout=0.12)

    def test_refresh_in_place(self) -> None:
        self.service.routes[("GET", "/admin/builds/b-42")] = [json_reply(build_state("queued", 0)), json_reply(build_state("running", 2))]
        build = self.client.get_build("b-42")
        self.assertIs(build.refresh(), build)
        self.assertEqual((build.status, build.progress.done), ("running", 2))

    def test_refused_without_a_valid_token(self) -> None:
        problem = {"title": "Unauthorized", "status": 401, "detail": "admin token required"}
        self.service.routes[("POST", "/admin/builds")] = json_reply(problem, 401, content_type="application/problem+json")
        with self.assertRaises(ArgoAuthError) as ctx:
            Client(self.service.base_url).build(months=["2023-04"])
        self.assertEqual(ctx.exception.status, 401)
        self.assertIn("ARGO_ADMIN_TOKEN", str(ctx.exception))
        self.assertNotIn("Authorization", self.service.last().headers)

    def test_bad_build_request(self) -> None:
        problem = {"title": "Bad Request", "status": 400, "errors": [{"parameter": "months", "message": "bad month"}]}
        self.service.routes[("POST", "/admin/builds")] = json_reply(problem, 400, content_type="application/problem+json")
        with self.assertRaises(ArgoQueryError) as ctx:
            self.client.build(months=["2099-01"])
        self.assertEqual(ctx.exception.parameters, ["months"])


class AdminTest(ServiceTestCase):
    def test_builds_lists_recent_jobs(self) -> None:
        jobs = [build_state("running", 1), dict(build_state("succeeded", 3), id="b-41")]
        self.service.routes[("GET", "/admin/builds")] = json_reply({"builds": jobs})
        builds = self.client.builds(limit=20)
        self.assertEqual([(b.id, b.status) for b in builds], [("b-42", "running"), ("b-41", "succeeded")])
        self.assertIsInstance(builds[0], Build)
        seen = self.service.last()
        self.assertEqual((seen.query, seen.headers.get("Authorization")), ({"limit": "20"}, "Bearer t0ken"))
        self.service.routes[("GET", "/admin/builds")] = json_reply(jobs)  # a bare array works too
        self.assertEqual(len(self.client.builds()), 2)
        self.assertEqual(self.service.last().query, {})
        with self.assertRaises(ValueError):
            self.client.builds(limit=0)

    def test_builds_all_follows_link_headers_and_next_members(self) -> None:
        def route(seen: Seen) -> Reply:
            cursor = seen.query.get("cursor")
            if cursor is None:
                return json_reply({"builds": [dict(build_state("running", 0), id="b-3")]},
                                  headers={"Link": '</admin/builds?limit=1&cursor=c2>; rel="next"'})
            if cursor == "c2":
                return json_reply({"builds": [dict(build_state("failed", 0), id="b-2")], "next": "c1"})
            return json_reply({"builds": [dict(build_state("succeeded", 3), id="b-1")], "next": None})

        self.service.routes[("GET", "/admin/builds")] = route
        self.assertEqual([b.id for b in self.client.builds(limit=1)], ["b-3"])  # one page unless all=True
        self.assertEqual([b.id for b in self.client.builds(limit=1, all=True)], ["b-3", "b-2", "b-1"])
        self.assertEqual([r.query for r in self.service.requests[1:]],
                         [{"limit": "1"}, {"limit": "1", "cursor": "c2"}, {"limit": "1", "cursor": "c1"}])

    def test_cancel_a_build(self) -> None:
        self.service.routes[("DELETE", "/admin/builds/b-42")] = json_reply(build_state("cancelled", 1), 202)
        build = self.client.cancel_build("b-42")
        self.assertIsNotNone(build)
        assert build is not None
        self.assertEqual((build.status, build.cancelled, build.finished), ("cancelled", True, True))
        seen = self.service.last()
        self.assertEqual((seen.method, seen.headers.get("Authorization")), ("DELETE", "Bearer t0ken"))

    def test_cancel_without_a_body_fetches_the_state(self) -> None:
        self.service.routes[("DELETE", "/admin/builds/b-42")] = json_reply(None, 204)
        self.service.routes[("GET", "/admin/builds/b-42")] = json_reply(build_state("canceled", 2))
        build = self.client.cancel_build("b-42")
        assert build is not None
        self.assertTrue(build.cancelled)
        self.assertEqual([r.method for r in self.service.requests], ["DELETE", "GET"])

    def test_build_cancel_method_and_waiting_on_a_cancelled_build(self) -> None:
        self.service.routes[("GET", "/admin/builds/b-42")] = [json_reply(build_state("running", 1)),
                                                              json_reply(build_state("cancelled", 1))]
        self.service.routes[("DELETE", "/admin/builds/b-42")] = json_reply(build_state("running", 1), 202)
        build = self.client.get_build("b-42")
        self.assertIs(build.cancel(), build)
        with self.assertRaises(ArgoBuildError) as ctx:  # waiting ends, and says it was cancelled
            build.wait(poll=0.01)
        self.assertIn("b-42 was cancelled", str(ctx.exception))
        self.assertTrue(build.wait(poll=0.01, check=False).cancelled)

    def test_cancel_an_unknown_build(self) -> None:
        with self.assertRaises(ArgoNotFoundError):
            self.client.cancel_build("nope")

    def test_delete_a_month(self) -> None:
        self.service.routes[("DELETE", "/admin/months/2023-04")] = json_reply({"month": "2023-04", "deleted": True})
        self.assertEqual(self.client.delete_month("2023-04"), {"month": "2023-04", "deleted": True})
        self.service.routes[("DELETE", "/admin/months/2023-05")] = json_reply(None, 204)
        self.assertEqual(self.client.delete_month(date(2023, 5, 1)), {})
        self.assertEqual([(r.method, r.path) for r in self.service.requests],
                         [("DELETE", "/admin/months/2023-04"), ("DELETE", "/admin/months/2023-05")])
        with self.assertRaises(ArgoNotFoundError):
            self.client.delete_month("1999-01")
        with self.assertRaises(ValueError):
            self.client.delete_month("2023-4")

    def test_admin_refused_without_a_token(self) -> None:
        problem = {"title": "Unauthorized", "status": 401, "detail": "admin token required"}
        self.service.routes[("DELETE", "/admin/months/2023-04")] = json_reply(problem, 401, content_type="application/problem+json")
        with self.assertRaises(ArgoAuthError):
            Client(self.service.base_url).delete_month("2023-04")


if __name__ == "__main__":
    unittest.main()
