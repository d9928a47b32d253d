"""HTTP transport on the standard library: requests, error mapping and line streaming."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from ._headers import parse_retry_after
from .errors import (
    ArgoAuthError,
    ArgoConnectionError,
    ArgoHTTPError,
    ArgoNotFoundError,
    ArgoQueryError,
    ArgoRateLimitError,
    ArgoStreamError,
    ParameterProblem,
)

#: Read size for streamed bodies. ``read1`` returns as soon as *some* bytes are there, so this is
#: only an upper bound: a slow stream still yields each profile as soon as its line is complete.
CHUNK_BYTES = 64 * 1024
#: How much of a non-JSON error body is quoted in an exception message.
MAX_QUOTED_BODY = 500
#: Statuses retried when they carry ``Retry-After``: 429 (rate limit, request cost) and 503
#: (overloaded or starting). Both mean the request was not processed, so a retry is safe.
RETRY_STATUSES = (429, 503)
#: Retries of one request before the error is raised: enough to ride out a token bucket
#: refilling, few enough that a client over its limit does not keep knocking.
DEFAULT_MAX_RETRIES = 3
#: The longest Retry-After the client waits out by itself (seconds). A longer one (an hourly
#: quota) is raised at once: the caller, not a hidden sleep, should decide to wait that long.
DEFAULT_MAX_RETRY_WAIT = 60.0


def _gunzip(data: bytes) -> bytes:
    return zlib.decompress(data, 16 + zlib.MAX_WBITS)


def read_body(resp: Any) -> bytes:
    """Reads a whole (small) body, undoing ``Content-Encoding: gzip``."""
    data: bytes = resp.read()
    if (resp.headers.get("Content-Encoding") or "").lower() == "gzip" and data:
        data = _gunzip(data)
    return data


def _problem_errors(body: Mapping[str, Any]) -> List[ParameterProblem]:
    """Extracts the per-parameter problems of a problem+json body.

    API.md promises ``errors: [{"parameter", "message"}]``; RFC 7807's example spelling
    (``invalid-params`` with ``name``/``reason``) is understood too, so a renamed member does not
    lose the names.
    """
    items = body.get("errors")
    if items is None:
        items = body.get("invalid_params", body.get("invalid-params"))
    problems: List[ParameterProblem] = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping):
                name = item.get("parameter", item.get("name", item.get("param", item.get("path", "?"))))
                if isinstance(name, list):
                    name = ".".join(str(n) for n in name)
                message = item.get("message", item.get("reason", item.get("detail", "")))
                problems.append(ParameterProblem(str(name), str(message)))
            elif isinstance(item, str):
                problems.append(ParameterProblem("?", item))
    return problems


def error_from_response(
    status: int,
    reason: str,
    url: str,
    raw: bytes,
    retry_after: Optional[float] = None,
    retries: int = 0,
    gave_up: Optional[str] = None,
) -> ArgoHTTPError:
    """Maps an HTTP error response to the matching exception class.

    ``retry_after``, ``retries`` and ``gave_up`` describe the Retry-After handling of a 429/503
    (what the server asked, how often the client retried, why it stopped).
    """
    body: Optional[Dict[str, Any]] = None
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text) if text.strip() else None
        if isinstance(parsed, dict):
            body = parsed
    except ValueError:
        pass
    title = reason
    detail: Optional[str] = None
    if body is not None:
        title = str(body.get("title") or reason)
        if body.get("detail") is not None:
            detail = str(body["detail"])
        elif isinstance(body.get("message"), str):
            detail = body["message"]
        elif isinstance(body.get("error"), Mapping) and body["error"].get("message"):
            detail = str(body["error"]["message"])
    elif text.strip():
        detail = text.strip()[:MAX_QUOTED_BODY]
    if status == 400:
        return ArgoQueryError(status, url, title, detail, body, _problem_errors(body or {}))
    if status in (401, 403):
        return ArgoAuthError(status, url, title, detail, body)
    if status == 404:
        return ArgoNotFoundError(status, url, title, detail, body)
    if status == 429:
        return ArgoRateLimitError(status, url, title, detail, body, retry_after=retry_after, retries=retries, gave_up=gave_up)
    return ArgoHTTPError(status, url, title, detail, body, retry_after=retry_after, retries=retries, gave_up=gave_up)


class Transport:
    """Sends requests to one service base URL; one instance per :class:`~argoprofiles.Client`.

    A 429 or 503 answer with a ``Retry-After`` header is retried after the delay it names, at
    most ``max_retries`` times and only when that delay is at most ``max_retry_wait`` seconds;
    then the error is raised with what the server asked for.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float,
        headers: Mapping[str, str],
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
    ) -> None:
        if not base_url.lower().startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if not max_retry_wait >= 0:
            raise ValueError(f"max_retry_wait must be >= 0 seconds, got {max_retry_wait!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers)
        self.max_retries = max_retries
        self.max_retry_wait = float(max_retry_wait)
        #: Replaced in tests to check the delays without waiting them.
        self.sleep: Callable[[float], None] = time.sleep
        self._opener = urllib.request.build_opener()

    def url(self, path: str, params: Optional[Mapping[str, str]] = None) -> str:
        """The absolute URL of ``path`` (which starts with ``/``) with an encoded query string."""
        url = self.base_url + path
        if params:
            # Commas and colons stay readable in logs; the server decodes either form.
            url += "?" + urllib.parse.urlencode(params, safe=",:")
        return url

    def is_own(self, url: str) -> bool:
        """``True`` when ``url`` is on this service: same scheme, host and port, under its path."""
        mine = urllib.parse.urlsplit(self.base_url)
        other = urllib.parse.urlsplit(url)
        if (mine.scheme.lower(), mine.netloc.lower()) != (other.scheme.lower(), other.netloc.lower()):
            return False
        return mine.path == "" or other.path == mine.path or other.path.startswith(mine.path + "/")

    def open(
        self,
        method: str,
        path: str,
        params: Optional[Mapping[str, str]] = None,
        body: Optional[Mapping[str, Any]] = None,
        accept: str = "application/json",
        headers: Optional[Mapping[str, str]] = None,
    ) -> Tuple[Any, str]:
        """Sends a request and returns the open response (status < 400) and the URL.

        Raises the mapped :class:`~argoprofiles.errors.ArgoHTTPError` for an error status and
        :class:`~argoprofiles.errors.ArgoConnectionError` when the service cannot be reached.
        """
        return self.open_url(method, self.url(path, params), body=body, accept=accept, headers=headers)

    def open_url(
        self,
        method: str,
        url: str,
        body: Optional[Mapping[str, Any]] = None,
        accept: str = "application/json",
        headers: Optional[Mapping[str, str]] = None,
    ) -> Tuple[Any, str]:
        """:meth:`open` for an absolute URL of this service (a ``Link`` target)."""
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        all_headers["Accept"] = accept
        data: Optional[bytes] = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        retries = 0
        while True:
            request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
            try:
                return self._opener.open(request, timeout=self.timeout), url
            except urllib.error.HTTPError as exc:
                try:
                    raw = read_body(exc)
                except (OSError, http.client.HTTPException, zlib.error):
                    raw = b""
                finally:
                    exc.close()
                delay = parse_retry_after(exc.headers.get("Retry-After")) if exc.code in RETRY_STATUSES else None
                gave_up: Optional[str] = None
                if delay is not None:
                    if retries >= self.max_retries:
                        gave_up = f"gave up after {retries} retr{'y' if retries == 1 else 'ies'} (max_retries={self.max_retries})"
                    elif delay > self.max_retry_wait:
                        gave_up = f"Retry-After {delay:g} s is longer than max_retry_wait={self.max_retry_wait:g} s"
                    else:
                        retries += 1
                        self.sleep(delay)
                        continue
                raise error_from_response(
                    exc.code, str(exc.reason or ""), url, raw, retry_after=delay, retries=retries, gave_up=gave_up
                ) from None
            except urllib.error.URLError as exc:
                raise ArgoConnectionError(f"cannot reach {url}: {exc.reason}") from exc
            except (socket.timeout, TimeoutError) as exc:
                raise ArgoConnectionError(f"no answer from {url} within {self.timeout} s") from exc
            except (OSError, http.client.HTTPException) as exc:
                raise ArgoConnectionError(f"request to {url} failed: {exc}") from exc

    def json(
        self,
        method: str,
        path: str,
        params: Optional[Mapping[str, str]] = None,
        body: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Tuple[Any, Any]:
        """Sends a request and returns ``(decoded JSON body or None when empty, response headers)``."""
        return self.json_url(method, self.url(path, params), body=body, headers=headers)

    def json_url(
        self,
        method: str,
        url: str,
        body: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Tuple[Any, Any]:
        """:meth:`json` for an absolute URL of this service (a ``Link`` target)."""
        resp, url = self.open_url(method, url, body=body, headers=headers)
        try:
            raw = read_body(resp)
        except (socket.timeout, TimeoutError) as exc:
            raise ArgoConnectionError(f"no answer from {url} within {self.timeout} s") from exc
        except (OSError, http.client.HTTPException, zlib.error) as exc:
            raise ArgoConnectionError(f"reading {url} failed: {exc}") from exc
        finally:
            resp.close()
        try:
            return (json.loads(raw.decode("utf-8")) if raw.strip() else None), resp.headers
        except ValueError as exc:
            raise ArgoHTTPError(resp.status, url, "invalid JSON body", raw[:MAX_QUOTED_BODY].decode("utf-8", "replace")) from exc


def iter_chunks(resp: Any) -> Iterator[bytes]:
    """Yields a streamed body's bytes as they arrive, undoing ``Content-Encoding: gzip``.

    A broken connection, a timeout or a truncated gzip stream raises :class:`ArgoStreamError`.
    """
    gzipped = (resp.headers.get("Content-Encoding") or "").lower() == "gzip"
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    try:
        while True:
            chunk = resp.read1(CHUNK_BYTES)
            if not chunk:
                break
            if decoder is not None:
                chunk = decoder.decompress(chunk)
            if chunk:
                yield chunk
        if decoder is not None:
            tail = decoder.flush()
            if tail:
                yield tail
            if not decoder.eof:
                raise ArgoStreamError("the gzip body ended before its end marker (connection cut)")
    except (socket.timeout, TimeoutError) as exc:
        raise ArgoStreamError("no data within the read timeout") from exc
    except http.client.IncompleteRead as exc:
        raise ArgoStreamError(f"connection closed mid-body ({exc!r})") from exc
    except (OSError, http.client.HTTPException, zlib.error) as exc:
        raise ArgoStreamError(f"reading the body failed: {exc}") from exc


def iter_lines(resp: Any) -> Iterator[bytes]:
    """Yields the lines of a streamed body (without ``\\n``) as soon as each is complete.

    Memory stays bounded by the longest line. A final line without ``\\n`` is yielded too (the
    caller decides whether it parses). Errors are those of :func:`iter_chunks`.
    """
    pending = bytearray()
    for chunk in iter_chunks(resp):
        pending += chunk
        start = 0
        while True:
            end = pending.find(b"\n", start)
            if end < 0:
                break
            yield bytes(pending[start:end])
            start = end + 1
        if start:
            del pending[:start]
    if pending.strip():
        yield bytes(pending)
