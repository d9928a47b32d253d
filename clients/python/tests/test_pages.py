"""Cursors: ``Link: <...>; rel="next"`` followed by ``all=True``, or exposed as ``next``/``next_cursor``."""

from __future__ import annotations

import unittest
import urllib.parse
import warnings
from typing import Any, Callable, Dict, List, Optional

import support
from support import FakeService, Reply, Seen, depth_profile, ndjson_reply, problem_reply

from argoprofiles import ArgoStreamError, ArgoTruncatedWarning, Client

PATH = ("GET", "/v1/profiles")
ALL = [depth_profile(i) for i in range(1, 8)]  # 7 profiles in result order


def paging(
    profiles: List[Dict[str, Any]],
    link: Callable[[Seen, str], str],
    months_missing: Callable[[int], str] = lambda page: "",
) -> Callable[[Seen], Reply]:
    """A fake ``/v1/profiles`` that pages ``profiles`` by ``max_profiles`` with a key-set cursor
    (the cycle number of the last profile returned); ``link(seen, cursor)`` writes the Link target."""

    def route(seen: Seen) -> Reply:
        size = int(seen.query.get("max_profiles", "1000"))
        after = int(seen.query.get("cursor", "0"))
        rest = [p for p in profiles if p["cycle_number"] > after]
        page = rest[:size]
        truncated = len(rest) > size
        target = link(seen, str(page[-1]["cycle_number"])) if truncated else None
        return ndjson_reply(
            page,
            matched=len(rest),
            truncated=truncated,
            months_missing=months_missing(after),
            link=f'<{target}>; rel="next"' if target else None,
        )

    return route


def same_query_with(seen: Seen, cursor: str) -> str:
    query = dict(seen.query, cursor=cursor)
    return "?" + urllib.parse.urlencode(query, safe=",:")


class PagesTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService().__enter__()
        self.addCleanup(self.service.__exit__)
        self.client = Client(self.service.base_url, timeout=5)

    def cycles(self, profiles: Any) -> List[int]:
        return [p.cycle_number for p in profiles]


class FollowTest(PagesTestCase):
    def test_all_true_yields_the_concatenation_of_the_pages(self) -> None:
        self.service.routes[PATH] = paging(ALL, same_query_with)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # followed: not an incomplete result
            result = self.client.profiles("2024-01-01", "2024-02-01", depth=support.LEVELS, max_profiles=3, all=True)
        self.assertEqual(result.matched, 7)
        self.assertTrue(result.truncated)  # the first page's header, before any reading
        self.assertEqual(self.cycles(result), [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual((result.pages, result.count, result.truncated, result.next), (3, 7, False, None))
        cursors = [r.query.get("cursor") for r in self.service.requests]
        self.assertEqual(cursors, [None, "3", "6"])
        for seen in self.service.requests:  # every page keeps the query
            self.assertEqual((seen.query["depth"], seen.query["max_profiles"]), ("0,10,20,50", "3"))
        self.assertEqual(len(result.urls), 3)
        self.assertTrue(result.closed)

    def test_link_forms(self) -> None:
        base = self.service.base_url

        def absolute(seen: Seen, cursor: str) -> str:
            return base + "/v1/profiles" + same_query_with(seen, cursor)

        def absolute_path(seen: Seen, cursor: str) -> str:
            return "/v1/profiles" + same_query_with(seen, cursor)

        def relative(seen: Seen, cursor: str) -> str:
            return "profiles" + same_query_with(seen, cursor)

        for name, link in (("absolute", absolute), ("absolute path", absolute_path), ("relative", relative)):
            with self.subTest(link=name):
                self.service.requests.clear()
                self.service.routes[PATH] = paging(ALL, link)
                result = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=4, all=True)
                self.assertEqual(self.cycles(result), list(range(1, 8)))
                self.assertEqual([r.path for r in self.service.requests], ["/v1/profiles"] * 2)

    def test_a_link_elsewhere_keeps_to_the_configured_service(self) -> None:
        # A service behind a proxy that knows only its internal name and path: the client sends the
        # link's query (cursor included) to the route it asked, never to the other host.
        self.service.routes[("GET", "/argo/v1/profiles")] = paging(
            ALL, lambda seen, cursor: "http://internal.invalid:9999/v1/profiles" + same_query_with(seen, cursor)
        )
        client = Client(self.service.base_url + "/argo", token="secret", timeout=5)
        result = client.profiles("2024-01-01", "2024-02-01", max_profiles=5, all=True)
        self.assertEqual(self.cycles(result), list(range(1, 8)))
        self.assertEqual([r.path for r in self.service.requests], ["/argo/v1/profiles"] * 2)
        self.assertEqual(self.service.last().query["cursor"], "5")
        self.assertEqual(self.service.last().headers.get("Authorization"), "Bearer secret")

    def test_path_prefix_with_an_absolute_path_link(self) -> None:
        # "/v1/profiles?..." from a service mounted at /argo resolves outside the base URL: the
        # client continues on its own route.
        self.service.routes[("GET", "/argo/v1/profiles")] = paging(
            ALL, lambda seen, cursor: "/v1/profiles" + same_query_with(seen, cursor)
        )
        result = Client(self.service.base_url + "/argo/").profiles("2024-01-01", "2024-02-01", max_profiles=6, all=True)
        self.assertEqual(self.cycles(result), list(range(1, 8)))
        self.assertEqual(self.service.last().path, "/argo/v1/profiles")

    def test_months_missing_over_every_page(self) -> None:
        self.service.routes[PATH] = paging(ALL, same_query_with, months_missing=lambda after: "2024-03" if after else "2024-02")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = self.client.profiles("2024-01-01", "2024-04-01", max_profiles=4, all=True)
        self.assertEqual(result.months_missing, ["2024-02"])
        list(result)
        self.assertEqual(result.months_missing, ["2024-02", "2024-03"])

    def test_conversions_follow_the_pages_and_keep_them(self) -> None:
        self.service.routes[PATH] = paging(ALL, same_query_with)
        result = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=2, all=True)
        self.assertEqual(self.cycles(result.to_list()), list(range(1, 8)))
        self.assertEqual(self.cycles(result.to_list()), list(range(1, 8)))
        self.assertEqual(len(self.service.requests), 4)

    def test_a_failing_next_page_is_a_stream_error_after_the_profiles_read(self) -> None:
        def route(seen: Seen) -> Reply:
            if "cursor" in seen.query:
                return problem_reply(400, "Bad Request", "cursor expired")
            return ndjson_reply(ALL[:2], matched=7, truncated=True, link='<?cursor=2>; rel="next"')

        self.service.routes[PATH] = route
        result = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=2, all=True)
        seen: List[int] = []
        with self.assertRaises(ArgoStreamError) as ctx:
            for p in result:
                seen.append(p.cycle_number)
        self.assertEqual(seen, [1, 2])
        self.assertEqual((ctx.exception.status, ctx.exception.profiles_read), (400, 2))
        self.assertIn("page 2", str(ctx.exception))
        self.assertIn("cursor expired", str(ctx.exception))

    def test_a_link_that_repeats_a_page_stops_the_stream(self) -> None:
        self.service.routes[PATH] = ndjson_reply(ALL[:2], truncated=True, link='<?cursor=same>; rel="next"')
        result = self.client.profiles("2024-01-01", "2024-02-01", all=True)
        with self.assertRaises(ArgoStreamError) as ctx:
            list(result)
        self.assertIn("repeats a page", str(ctx.exception))
        self.assertEqual(len(self.service.requests), 2)  # the first page and one next page, then stop

    def test_truncated_without_a_link_still_warns(self) -> None:
        # A service without cursors: all=True cannot follow, so the result is incomplete.
        self.service.routes[PATH] = ndjson_reply(ALL[:2], matched=7, truncated=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=2, all=True)
        self.assertEqual([w.category for w in caught], [ArgoTruncatedWarning])
        self.assertIn("raise max_profiles", str(caught[0].message))
        self.assertEqual(self.cycles(result), [1, 2])
        self.assertEqual(len(self.service.requests), 1)


class NextTest(PagesTestCase):
    def test_without_all_the_next_page_is_exposed(self) -> None:
        self.service.routes[PATH] = paging(ALL, same_query_with)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=3)
        self.assertIn("all=True", str(caught[0].message))
        self.assertEqual(result.next_cursor, "3")
        self.assertTrue(result.next.startswith(self.service.base_url + "/v1/profiles?"))
        self.assertEqual(self.cycles(result), [1, 2, 3])
        self.assertEqual(len(self.service.requests), 1)  # nothing followed

    def test_cursor_parameter_continues(self) -> None:
        self.service.routes[PATH] = paging(ALL, same_query_with)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=3)
            second = self.client.profiles("2024-01-01", "2024-02-01", max_profiles=3, cursor=first.next_cursor)
        self.assertEqual(self.cycles(second), [4, 5, 6])
        self.assertEqual(second.next_cursor, "6")

    def test_next_page_walks_the_pages(self) -> None:
        self.service.routes[PATH] = paging(ALL, same_query_with)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            page: Optional[Any] = self.client.profiles("2024-01-01", "2024-02-01", depth="0:50:10", max_profiles=3)
        pages = []
        while page is not None:
            pages.append(self.cycles(page))
            page = page.next_page()
        self.assertEqual(pages, [[1, 2, 3], [4, 5, 6], [7]])
        self.assertEqual([r.query["depth"] for r in self.service.requests], ["0:50:10"] * 3)

    def test_last_page_has_no_next(self) -> None:
        self.service.routes[PATH] = ndjson_reply(ALL)
        result = self.client.profiles("2024-01-01", "2024-02-01")
        self.assertIsNone(result.next)
        self.assertIsNone(result.next_cursor)
        self.assertIsNone(result.next_page())


if __name__ == "__main__":
    unittest.main()
