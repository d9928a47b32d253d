"""Header parsing (no server): ``Link`` (RFC 8288), ``Retry-After`` (RFC 9110), ``X-Argo-Units``."""

from __future__ import annotations

import unittest
from email.message import Message
from email.utils import format_datetime
from datetime import datetime, timezone

import support  # noqa: F401  (first: puts ../src on sys.path)

from argoprofiles._headers import find_link, next_link, parse_links, parse_retry_after, parse_units, query_value


class LinkTest(unittest.TestCase):
    def test_one_link(self) -> None:
        self.assertEqual(
            parse_links(['<https://h/v1/profiles?cursor=abc>; rel="next"']),
            [("https://h/v1/profiles?cursor=abc", {"rel": "next"})],
        )

    def test_commas_inside_the_target_do_not_split_links(self) -> None:
        value = '</v1/profiles?bbox=-40,20,-10,50&depth=0,10,20&cursor=x>; rel="next", </v1/profiles?start=a>; rel=first'
        links = parse_links([value])
        self.assertEqual([t for t, _ in links], ["/v1/profiles?bbox=-40,20,-10,50&depth=0,10,20&cursor=x", "/v1/profiles?start=a"])
        self.assertEqual(find_link([value], "next"), "/v1/profiles?bbox=-40,20,-10,50&depth=0,10,20&cursor=x")
        self.assertEqual(find_link([value], "first"), "/v1/profiles?start=a")

    def test_rel_is_a_case_insensitive_list_and_parameters_are_lenient(self) -> None:
        self.assertEqual(find_link(['<a>; REL="prev NEXT"'], "next"), "a")
        self.assertEqual(find_link(['<a> ;rel = next'], "next"), "a")
        self.assertEqual(find_link(['<a>;rel=next;title="x"'], "next"), "a")
        self.assertIsNone(find_link(['<a>; rel="nextpage"'], "next"))
        self.assertIsNone(find_link(['<a>; title="next"'], "next"))

    def test_quoted_values_with_commas_semicolons_and_escapes(self) -> None:
        value = '<a>; title="one, two; \\"three\\""; rel="prev", <b>; rel="next"'
        links = parse_links([value])
        self.assertEqual(links[0], ("a", {"title": 'one, two; "three"', "rel": "prev"}))
        self.assertEqual(find_link([value], "next"), "b")

    def test_first_rel_wins_and_several_headers_are_read(self) -> None:
        self.assertEqual(find_link(['<a>; rel="prev"; rel="next"'], "next"), None)
        self.assertEqual(find_link(['<a>; rel="prev"', '<b>; rel="next"'], "next"), "b")

    def test_malformed_entries_are_skipped(self) -> None:
        self.assertEqual(find_link(['garbage; rel="next", <b>; rel="next"'], "next"), "b")
        self.assertEqual(find_link(['"quoted, junk" , <c>; rel=next'], "next"), "c")
        self.assertEqual(parse_links(['<unterminated; rel="next"']), [])
        self.assertEqual(parse_links(["", "  ,  "]), [])

    def test_next_link_is_resolved_against_the_request_url(self) -> None:
        request = "http://h:8080/argo/v1/profiles?start=2024-01-01&end=2024-02-01"
        for target, resolved in (
            ("?start=2024-01-01&cursor=c1", "http://h:8080/argo/v1/profiles?start=2024-01-01&cursor=c1"),
            ("profiles?cursor=c1", "http://h:8080/argo/v1/profiles?cursor=c1"),
            ("/v1/profiles?cursor=c1", "http://h:8080/v1/profiles?cursor=c1"),
            ("https://other/x?cursor=c1", "https://other/x?cursor=c1"),
        ):
            with self.subTest(target=target):
                headers = Message()
                headers["Link"] = f'<{target}>; rel="next"'
                self.assertEqual(next_link(headers, request), resolved)
        self.assertIsNone(next_link(Message(), request))
        self.assertEqual(next_link({"Link": '<?cursor=z>; rel="next"'}, request), request.split("?")[0] + "?cursor=z")

    def test_query_value(self) -> None:
        self.assertEqual(query_value("http://h/p?a=1&cursor=ab%2Fc%3D%3D", "cursor"), "ab/c==")
        self.assertIsNone(query_value("http://h/p?a=1", "cursor"))
        self.assertIsNone(query_value(None, "cursor"))


class RetryAfterTest(unittest.TestCase):
    def test_delay_seconds(self) -> None:
        self.assertEqual(parse_retry_after("120"), 120.0)
        self.assertEqual(parse_retry_after(" 0 "), 0.0)
        self.assertEqual(parse_retry_after("1.5"), 1.5)
        self.assertEqual(parse_retry_after("-3"), 0.0)

    def test_http_date(self) -> None:
        now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()
        later = format_datetime(datetime(2024, 1, 1, 12, 0, 30, tzinfo=timezone.utc), usegmt=True)
        self.assertEqual(later, "Mon, 01 Jan 2024 12:00:30 GMT")
        self.assertEqual(parse_retry_after(later, now=now), 30.0)
        self.assertEqual(parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now=now), 0.0)  # past

    def test_absent_or_unparseable(self) -> None:
        for value in (None, "", "soon", "nan", "Mon, 99 Foo 2024"):
            with self.subTest(value=value):
                self.assertIsNone(parse_retry_after(value))


class UnitsHeaderTest(unittest.TestCase):
    def test_units(self) -> None:
        self.assertEqual(
            parse_units("DOXY=micromole/kg, CHLA=mg/m3,TEMP=degree%C2%B0C,bad,=x,Y="),
            {"DOXY": {"units": "micromole/kg"}, "CHLA": {"units": "mg/m3"}, "TEMP": {"units": "degree°C"}},
        )
        self.assertEqual(parse_units(None), {})


if __name__ == "__main__":
    unittest.main()
