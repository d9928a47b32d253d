"""``Retry-After`` on 429 and 503: bounded waits and retries, then a clear error."""

from __future__ import annotations

import unittest
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import List

import support  # noqa: F401  (first: puts ../src on sys.path)
from support import FakeService, Reply, depth_profile, json_reply, ndjson_reply, problem_reply

from argoprofiles import ArgoHTTPError, ArgoRateLimitError, ArgoStreamError, Client

PATH = ("GET", "/v1/profiles")


def too_many(retry_after: str = "1") -> Reply:
    return problem_reply(429, "Too Many Requests", "rate limit of 60 requests per minute",
                         headers={"Retry-After": retry_after, "RateLimit-Limit": "60"})


class RetryTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService().__enter__()
        self.addCleanup(self.service.__exit__)

    def client(self, **kwargs: object) -> Client:
        client = Client(self.service.base_url, timeout=5, **kwargs)  # type: ignore[arg-type]
        self.slept: List[float] = []
        client._transport.sleep = self.slept.append  # record the waits instead of waiting
        return client


class RetryAfterTest(RetryTestCase):
    def test_429_is_retried_after_the_delay_asked(self) -> None:
        self.service.routes[PATH] = [too_many("2"), too_many("1"), ndjson_reply([depth_profile(1)])]
        client = self.client(api_key="k")
        profiles = list(client.profiles("2024-01-01", "2024-02-01", depth=[0, 10]))
        self.assertEqual([p.cycle_number for p in profiles], [1])
        self.assertEqual(self.slept, [2.0, 1.0])
        self.assertEqual(len(self.service.requests), 3)
        for seen in self.service.requests:  # the same request each time, key included
            self.assertEqual((seen.query["depth"], seen.headers.get("X-API-Key")), ("0,10", "k"))

    def test_503_with_an_http_date(self) -> None:
        when = datetime.now(timezone.utc) + timedelta(seconds=30)
        unavailable = problem_reply(503, "Service Unavailable", "starting", headers={"Retry-After": format_datetime(when, usegmt=True)})
        self.service.routes[("GET", "/v1/months")] = [unavailable, json_reply([{"month": "2024-01", "profiles": 1}])]
        client = self.client()
        self.assertEqual([m.month for m in client.months()], ["2024-01"])
        self.assertEqual(len(self.slept), 1)
        self.assertTrue(27 <= self.slept[0] <= 30, self.slept)

    def test_gives_up_after_max_retries_with_a_clear_error(self) -> None:
        self.service.routes[PATH] = too_many("1")
        client = self.client(max_retries=2)
        with self.assertRaises(ArgoRateLimitError) as ctx:
            client.profiles("2024-01-01", "2024-02-01")
        err = ctx.exception
        self.assertEqual((err.status, err.retry_after, err.retries), (429, 1.0, 2))
        self.assertEqual(self.slept, [1.0, 1.0])
        self.assertEqual(len(self.service.requests), 3)
        text = str(err)
        self.assertIn("429", text)
        self.assertIn("rate limit of 60 requests per minute", text)
        self.assertIn("gave up after 2 retries (max_retries=2)", text)
        self.assertIn("retry after 1 s", text)
        self.assertIn("api_key", text)
        self.assertIsInstance(err, ArgoHTTPError)

    def test_a_delay_longer_than_max_retry_wait_is_raised_at_once(self) -> None:
        self.service.routes[PATH] = too_many("3600")
        client = self.client(max_retry_wait=60)
        with self.assertRaises(ArgoRateLimitError) as ctx:
            client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual(self.slept, [])
        self.assertEqual(len(self.service.requests), 1)
        self.assertEqual(ctx.exception.retry_after, 3600.0)
        self.assertIn("Retry-After 3600 s is longer than max_retry_wait=60 s", str(ctx.exception))

    def test_no_retry_without_retry_after_or_when_disabled(self) -> None:
        self.service.routes[PATH] = problem_reply(503, "Service Unavailable", "overloaded")
        client = self.client()
        with self.assertRaises(ArgoHTTPError) as ctx:
            client.profiles("2024-01-01", "2024-02-01")
        self.assertEqual((ctx.exception.status, ctx.exception.retry_after), (503, None))
        self.assertEqual(len(self.service.requests), 1)
        self.service.routes[PATH] = too_many("0")
        with self.assertRaises(ArgoRateLimitError):
            self.client(max_retries=0).profiles("2024-01-01", "2024-02-01")
        self.assertEqual(len(self.service.requests), 2)

    def test_other_statuses_are_never_retried(self) -> None:
        self.service.routes[PATH] = problem_reply(500, "Internal Server Error", "", headers={"Retry-After": "1"})
        with self.assertRaises(ArgoHTTPError):
            self.client().profiles("2024-01-01", "2024-02-01")
        self.assertEqual((self.slept, len(self.service.requests)), ([], 1))

    def test_a_post_is_sent_again_with_its_body(self) -> None:
        accepted = json_reply({"id": "b-1", "status": "queued", "months": ["2024-01"]}, 202)
        unavailable = problem_reply(503, "Service Unavailable", "", headers={"Retry-After": "0"})
        self.service.routes[("POST", "/admin/builds")] = [unavailable, accepted]
        build = self.client(token="t").build(months=["2024-01"])
        self.assertEqual(build.id, "b-1")
        self.assertEqual([r.body for r in self.service.requests], [{"months": ["2024-01"]}] * 2)

    def test_next_pages_are_retried_too(self) -> None:
        first = ndjson_reply([depth_profile(1)], matched=2, truncated=True, link='<?cursor=1>; rel="next"')

        def route(seen: support.Seen) -> support.Reply:
            if "cursor" not in seen.query:
                return first
            return answers.pop(0)

        answers = [too_many("0.5"), ndjson_reply([depth_profile(2)])]
        self.service.routes[PATH] = route
        result = self.client().profiles("2024-01-01", "2024-02-01", max_profiles=1, all=True)
        self.assertEqual([p.cycle_number for p in result], [1, 2])
        self.assertEqual(self.slept, [0.5])

    def test_a_next_page_refused_for_good_ends_the_stream_clearly(self) -> None:
        first = ndjson_reply([depth_profile(1)], matched=2, truncated=True, link='<?cursor=1>; rel="next"')
        self.service.routes[PATH] = lambda seen: first if "cursor" not in seen.query else too_many("999")
        result = self.client().profiles("2024-01-01", "2024-02-01", max_profiles=1, all=True)
        with self.assertRaises(ArgoStreamError) as ctx:
            list(result)
        self.assertEqual((ctx.exception.status, ctx.exception.profiles_read), (429, 1))
        self.assertIsInstance(ctx.exception.__cause__, ArgoRateLimitError)

    def test_settings_are_checked(self) -> None:
        for kwargs in ({"max_retries": -1}, {"max_retries": 1.5}, {"max_retry_wait": -1}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ValueError):
                    Client(self.service.base_url, **kwargs)  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
