"""Test support: import path, a fake service on 127.0.0.1:0 and canned API.md responses.

Not a test module (``unittest`` discovers ``test*.py`` only). Each test module imports it first,
so the package under test is the one in ``../src``, installed or not.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)


def has_module(name: str) -> bool:
    """``True`` when ``name`` imports (for ``skipUnless``)."""
    try:
        __import__(name)
        return True
    except ImportError:
        return False


# -- canned data (shapes from API.md) ----------------------------------------------------------

LEVELS = [0, 10, 20, 50]


def depth_profile(i: int, **changes: Any) -> Dict[str, Any]:
    """A profile on the target depth levels ``LEVELS``, one distinct value set per ``i``."""
    p: Dict[str, Any] = {
        "id": f"coriolis/690324{i}/profiles/R690324{i}_00{i}.nc",
        "platform_number": f"690324{i}",
        "cycle_number": i,
        "direction": "A",
        "data_mode": "R" if i % 2 else "D",
        "time": f"2024-01-0{i}T05:41:00.{i:03d}Z",
        "latitude": 34.19 + i,
        "longitude": 26.0 - i,
        "depth": list(LEVELS),
        "TEMP": [20.0 + i, 19.5 + i, None, 14.25 + i],
        "PSAL": [38.9, 38.95, 39.0, None],
    }
    p.update(changes)
    return p


NATIVE_A: Dict[str, Any] = {
    "id": "aoml/13857/profiles/R13857_001.nc",
    "platform_number": "13857",
    "cycle_number": 1,
    "direction": "A",
    "data_mode": "R",
    "time": "1997-07-29T20:03:00.002Z",
    "latitude": 0.267,
    "longitude": -16.032,
    "depth": [11.834302, 16.905937, 21.977446],
    "pressure": [11.9, 17.0, 22.1],
    "TEMP": [24.1, 24.0, None],
    "PSAL": None,  # an old float without salinity
}
NATIVE_B: Dict[str, Any] = {
    "id": "aoml/13857/profiles/R13857_020.nc",
    "platform_number": "13857",
    "cycle_number": 20,
    "direction": "D",
    "data_mode": "R",
    "time": "1997-07-30T01:00:00.000Z",
    "latitude": 0.5,
    "longitude": -16.5,
    "depth": [5.0, 9.9, 19.8, 29.7, 49.5],
    "pressure": [5.03, 10.0, 20.0, 30.0, 50.0],
    "TEMP": [25.0, 24.9, 24.5, 22.0, 19.0],
    "PSAL": None,
}

PROBLEM_400: Dict[str, Any] = {
    "type": "https://argo-profiles.example/problems/bad-parameters",
    "title": "Bad Request",
    "status": 400,
    "detail": "2 invalid parameters",
    "errors": [
        {"parameter": "depth", "message": "levels must be ascending"},
        {"parameter": "bbox", "message": "expected lon_min,lat_min,lon_max,lat_max"},
    ],
}


def ndjson(*objects: Dict[str, Any]) -> List[bytes]:
    """One chunk per line, as the service streams them."""
    return [(json.dumps(o) + "\n").encode() for o in objects]


# -- fake service ------------------------------------------------------------------------------


@dataclass
class Reply:
    """A canned response.

    ``body`` is bytes (sent with Content-Length) or a list of chunks (sent chunked, flushed one
    by one). ``gate``: wait for this event before sending the chunks after the first.
    ``cut``: close the connection after the chunks without the chunked terminator.
    ``gzip``: compress the body and send ``Content-Encoding: gzip``.
    ``stall``: seconds to sleep after the first chunk (read-timeout tests).
    """

    status: int = 200
    body: Union[bytes, List[bytes]] = b""
    #: A list value sends the header once per item (several ``Link`` headers).
    headers: Dict[str, Union[str, List[str]]] = field(default_factory=dict)
    content_type: str = "application/json"
    gate: Optional[threading.Event] = None
    cut: bool = False
    gzip: bool = False
    stall: float = 0.0


def json_reply(obj: Any, status: int = 200, headers: Optional[Dict[str, Union[str, List[str]]]] = None, content_type: str = "application/json") -> Reply:
    body = b"" if obj is None else json.dumps(obj).encode()
    return Reply(status=status, body=body, headers=dict(headers or {}), content_type=content_type)


def ndjson_reply(
    lines: Iterable[Dict[str, Any]],
    matched: Optional[int] = None,
    truncated: bool = False,
    months_missing: str = "",
    link: Union[str, List[str], None] = None,
    headers: Optional[Dict[str, Union[str, List[str]]]] = None,
    **kwargs: Any,
) -> Reply:
    """An NDJSON answer with the service's headers; ``link`` is sent as ``Link`` header(s)."""
    chunks = ndjson(*lines)
    all_headers: Dict[str, Union[str, List[str]]] = {
        "X-Argo-Profiles-Matched": str(len(chunks) if matched is None else matched),
        "X-Argo-Truncated": "true" if truncated else "false",
        "X-Argo-Months-Missing": months_missing,
    }
    if link is not None:
        all_headers["Link"] = link
    all_headers.update(headers or {})
    return Reply(body=chunks, headers=all_headers, content_type="application/x-ndjson", **kwargs)


def problem_reply(status: int, title: str, detail: str = "", headers: Optional[Dict[str, Union[str, List[str]]]] = None) -> Reply:
    """An ``application/problem+json`` error answer."""
    reply = json_reply({"type": "about:blank", "title": title, "status": status, "detail": detail}, status,
                       content_type="application/problem+json")
    reply.headers.update(headers or {})
    return reply


class Headers(Dict[str, str]):
    """Request headers with case-insensitive lookups, as HTTP has them (urllib sends ``X-api-key``)."""

    def __init__(self, items: Iterable[Tuple[str, str]]) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


@dataclass
class Seen:
    """A request the fake service received."""

    method: str
    path: str
    query: Dict[str, str]
    raw_query: str
    headers: Headers
    body: Optional[Any]


Route = Union[Reply, Callable[[Seen], Reply], List[Reply]]


class FakeService:
    """A real HTTP/1.1 server on 127.0.0.1, port 0, answering canned :class:`Reply` objects.

    ``routes[(method, path)]`` is a Reply, a list of Replies (served in turn, the last one
    repeated) or a function of the request. Unknown routes get 404 problem+json.
    """

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], Route] = {}
        self.requests: List[Seen] = []
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                service._handle(self, "GET")

            def do_POST(self) -> None:
                service._handle(self, "POST")

            def do_DELETE(self) -> None:
                service._handle(self, "DELETE")

            def do_HEAD(self) -> None:
                service._handle(self, "HEAD")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeService":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def last(self) -> Seen:
        with self._lock:
            return self.requests[-1]

    def _reply_for(self, seen: Seen) -> Reply:
        route = self.routes.get((seen.method, seen.path))
        if route is None:
            return json_reply({"title": "Not Found", "status": 404, "detail": f"no route {seen.path}"}, 404,
                              content_type="application/problem+json")
        if isinstance(route, Reply):
            return route
        if isinstance(route, list):
            with self._lock:
                return route.pop(0) if len(route) > 1 else route[0]
        return route(seen)

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urllib.parse.urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        seen = Seen(
            method=method,
            path=parts.path,
            query=dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
            raw_query=parts.query,
            headers=Headers(h.headers.items()),
            body=json.loads(raw) if raw else None,
        )
        with self._lock:
            self.requests.append(seen)
        reply = self._reply_for(seen)
        h.send_response(reply.status)
        h.send_header("Content-Type", reply.content_type)
        for k, v in reply.headers.items():
            for item in v if isinstance(v, list) else [v]:
                h.send_header(k, item)
        chunks = reply.body if isinstance(reply.body, list) else None
        body = reply.body if isinstance(reply.body, bytes) else b""
        if reply.gzip:
            data = gzip.compress(b"".join(chunks) if chunks is not None else body)
            h.send_header("Content-Encoding", "gzip")
            if chunks is not None:  # re-split so the decoder works on partial members
                chunks = [data[i : i + 37] for i in range(0, len(data), 37)]
                if reply.cut:
                    chunks = chunks[: len(chunks) // 2]
            else:
                body = data
        if method == "HEAD":  # the headers GET would send, no body
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if reply.status == 204:
            h.end_headers()
            return
        if chunks is None:
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for i, chunk in enumerate(chunks):
                if i == 1 and reply.gate is not None:
                    reply.gate.wait(10)
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                h.wfile.flush()
                if i == 0 and reply.stall:
                    time.sleep(reply.stall)
            if reply.cut:
                h.close_connection = True
                return
            h.wfile.write(b"0\r\n\r\n")
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
