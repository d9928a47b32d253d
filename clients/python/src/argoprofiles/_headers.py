"""Parsing of the response headers the client relies on: ``Link`` (RFC 8288), ``Retry-After``
(RFC 9110) and the service's ``X-Argo-*`` headers.

Pure functions on strings, so every odd spelling is tested without a server.
"""

from __future__ import annotations

import email.utils
import time
import urllib.parse
from typing import Any, Dict, Iterable, List, Optional, Tuple

#: One link: its target as written (not yet resolved) and its parameters (names lower-cased).
Link = Tuple[str, Dict[str, str]]

_SPACE = " \t"


def parse_links(values: Iterable[str]) -> List[Link]:
    """Parses ``Link`` header values (several headers, several links each) into ``(url, params)``.

    Follows RFC 8288 §3: the target is between ``<`` and ``>`` (so the commas of a query string,
    ``bbox=-40,20,-10,50``, never split a link); parameters are ``; name=value`` or
    ``; name="quoted \\"value\\""``, names case-insensitive, the first occurrence of a name wins.
    A malformed link is skipped up to the next comma outside quotes and angle brackets, so one
    bad entry does not hide the others.
    """
    links: List[Link] = []
    for value in values:
        i, n = 0, len(value)
        while i < n:
            while i < n and (value[i] in _SPACE or value[i] == ","):
                i += 1
            if i >= n:
                break
            if value[i] != "<":
                i = _skip_to_comma(value, i)
                continue
            end = value.find(">", i + 1)
            if end < 0:
                break
            target = value[i + 1 : end].strip()
            i = end + 1
            params: Dict[str, str] = {}
            while True:
                while i < n and value[i] in _SPACE:
                    i += 1
                if i >= n or value[i] != ";":
                    break
                i += 1
                while i < n and value[i] in _SPACE:
                    i += 1
                start = i
                while i < n and value[i] not in "=;," and value[i] not in _SPACE:
                    i += 1
                name = value[start:i].lower()
                while i < n and value[i] in _SPACE:
                    i += 1
                param_value = ""
                if i < n and value[i] == "=":
                    i += 1
                    while i < n and value[i] in _SPACE:
                        i += 1
                    if i < n and value[i] == '"':
                        param_value, i = _quoted(value, i)
                    else:
                        start = i
                        while i < n and value[i] not in ";,":
                            i += 1
                        param_value = value[start:i].strip()
                if name and name not in params:
                    params[name] = param_value
            if target:
                links.append((target, params))
            while i < n and value[i] != ",":  # anything after the parameters is junk
                i += 1
    return links


def _quoted(value: str, i: int) -> Tuple[str, int]:
    """Reads the quoted string starting at ``value[i] == '"'``; returns it and the index after."""
    out: List[str] = []
    i += 1
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    return "".join(out), i


def _skip_to_comma(value: str, i: int) -> int:
    quoted = False
    while i < len(value):
        c = value[i]
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            return i + 1
        i += 1
    return i


def find_link(values: Iterable[str], rel: str) -> Optional[str]:
    """The target of the first link whose ``rel`` (a space-separated list) contains ``rel``."""
    wanted = rel.lower()
    for target, params in parse_links(values):
        if wanted in params.get("rel", "").lower().split():
            return target
    return None


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP-date.

    Returns ``None`` when absent or unparseable (the response then is not retried), ``0`` for a
    date in the past. Fractional seconds are accepted although RFC 9110 says integers.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN → None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    reference = time.time() if now is None else now
    return max(0.0, when.timestamp() - reference)


def parse_units(value: Optional[str]) -> Dict[str, Dict[str, str]]:
    """``X-Argo-Units: DOXY=micromole/kg,CHLA=mg/m3`` → ``{"DOXY": {"units": "micromole/kg"}, ...}``.

    Values may be percent-encoded (a unit outside ASCII, or with a comma). Malformed entries are
    skipped: the built-in table then applies.
    """
    out: Dict[str, Dict[str, str]] = {}
    for item in (value or "").split(","):
        name, sep, units = item.partition("=")
        name = urllib.parse.unquote(name.strip())
        units = urllib.parse.unquote(units.strip())
        if sep and name and units:
            out[name] = {"units": units}
    return out


def header_int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value is not None and value.strip() else None
    except ValueError:
        return None


def header_list(value: Optional[str]) -> List[str]:
    return [m.strip() for m in (value or "").split(",") if m.strip()]


def header_bool(value: Optional[str]) -> bool:
    return (value or "").strip().lower() == "true"


def next_link(headers: Any, request_url: str) -> Optional[str]:
    """The absolute URL of a response's ``Link: <...>; rel="next"``, resolved against the request
    URL (RFC 3986), or ``None``. ``headers`` is an :class:`email.message.Message` (all of its
    ``Link`` headers are read) or a plain mapping."""
    get_all = getattr(headers, "get_all", None)
    values = get_all("Link") if get_all is not None else [headers.get("Link")]
    target = find_link([v for v in (values or []) if v], "next")
    return urllib.parse.urljoin(request_url, target) if target is not None else None


def query_value(url: Optional[str], name: str) -> Optional[str]:
    """The (decoded) value of query parameter ``name`` in ``url``, or ``None``."""
    if not url:
        return None
    for key, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None
