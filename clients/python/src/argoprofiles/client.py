"""The client: one object per service, one method per route."""

from __future__ import annotations

import sys
import time
import urllib.parse
from typing import Any, Dict, Iterable, List, Mapping, Optional, TextIO, Union

from . import __version__
from ._http import Transport
from .errors import ArgoBuildError, ArgoHTTPError
from .models import Build, MonthInfo, ProgressCallback
from .params import (
    BBoxLike,
    DepthLike,
    MonthLike,
    PlatformLike,
    TimeLike,
    format_bbox,
    format_depth,
    format_instant,
    format_month,
    format_platform,
    format_variables,
    parse_levels,
)
from .stream import ProfileStream

NDJSON = "application/x-ndjson"
#: Default seconds to wait for the connection and for each read. A query's first byte comes after
#: the index lookup (well under a second on a warm service); 60 s leaves room for a cold month.
DEFAULT_TIMEOUT = 60.0


class Client:
    """A client of one Argo profiles service.

    Args:
        base_url: the service root, e.g. ``"http://localhost:8080"`` (a path prefix behind a
            proxy is kept: ``"https://host/argo"``).
        timeout: seconds to wait for the connection and for each read of the body (not for the
            whole response: a long stream is fine as long as data keeps coming).
        token: the admin bearer token (the server's ``ARGO_ADMIN_TOKEN``), needed for
            :meth:`build` and :meth:`get_build`; sent as ``Authorization: Bearer`` with every
            request (public routes ignore it).
        compress: ask for gzip bodies (``Accept-Encoding: gzip``); decoded as they stream.

    Example::

        client = Client("http://localhost:8080")
        result = client.profiles("2024-01-01", "2024-02-01", depth="0:1000:10", bbox=(-40, 20, -10, 50))
        ds = result.to_xarray()
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        token: Optional[str] = None,
        compress: bool = True,
    ) -> None:
        headers = {"User-Agent": f"argo-profiles-client/{__version__} (python)"}
        if compress:
            headers["Accept-Encoding"] = "gzip"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._token = token
        self._transport = Transport(base_url, timeout, headers)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def __repr__(self) -> str:
        return f"Client({self.base_url!r}, timeout={self._transport.timeout}, token={'***' if self._token else None})"

    # -- query -------------------------------------------------------------------------------
    def profiles(
        self,
        start: TimeLike,
        end: TimeLike,
        depth: Optional[DepthLike] = None,
        variables: Union[str, Iterable[str], None] = None,
        mode: Optional[str] = None,
        vertical: Optional[str] = None,
        bbox: Optional[BBoxLike] = None,
        platform: Optional[PlatformLike] = None,
        max_profiles: Optional[int] = None,
        extra_params: Optional[Mapping[str, str]] = None,
        warn: bool = True,
    ) -> ProfileStream:
        """Queries ``GET /v1/profiles`` for the window ``[start, end)`` and returns the stream.

        The request is sent at once: a bad parameter raises
        :class:`~argoprofiles.errors.ArgoQueryError` here, and the result's ``matched``,
        ``truncated`` and ``months_missing`` are known before the first profile is read.

        Args:
            start: window start, inclusive: ``datetime`` (naive = UTC), ``date``, ISO 8601 str.
            end: window end, exclusive. The server caps the window length (one year by default).
            depth: target levels: ``[0, 10, 20]``, ``range(0, 1001, 10)``, ``"0:1000:10"`` (stop
                included) or ``"0,10,20"``; ``None`` (default) returns each profile's native levels.
            variables: ``["TEMP", "PSAL"]`` (server default), any of ``TEMP``, ``PSAL``, ``PRES``.
            mode: QC mode: ``"standard"`` (server default), ``"research"`` or ``"expert"``.
            vertical: ``"depth"`` (m, server default) or ``"pressure"`` (dbar) for the levels.
            bbox: ``(lon_min, lat_min, lon_max, lat_max)``; ``lon_min > lon_max`` crosses 180°.
            platform: WMO number(s): ``"6903247"``, ``6903247`` or a list of them.
            max_profiles: keep the first N profiles in time order.
            extra_params: more query parameters, sent as given (service extensions).
            warn: emit :class:`~argoprofiles.errors.ArgoTruncatedWarning` /
                :class:`~argoprofiles.errors.ArgoMonthsMissingWarning` when the result is
                incomplete (the facts are always on the result's attributes).

        Returns:
            A :class:`~argoprofiles.stream.ProfileStream`: iterate it, or call
            ``to_dataframe()`` / ``to_xarray()``.
        """
        params: Dict[str, str] = {"start": format_instant(start), "end": format_instant(end)}
        if depth is not None:
            params["depth"] = format_depth(depth)
        if vertical is not None:
            params["vertical"] = str(vertical)
        if variables is not None:
            params["variables"] = format_variables(variables)
        if mode is not None:
            params["mode"] = str(mode)
        if bbox is not None:
            params["bbox"] = format_bbox(bbox)
        if platform is not None:
            params["platform"] = format_platform(platform)
        if max_profiles is not None:
            if isinstance(max_profiles, bool) or int(max_profiles) != max_profiles:
                raise TypeError(f"max_profiles must be an int, got {max_profiles!r}")
            params["max_profiles"] = str(int(max_profiles))
        if extra_params:
            params.update({str(k): str(v) for k, v in extra_params.items()})
        params["format"] = "ndjson"
        response, url = self._transport.open("GET", "/v1/profiles", params=params, accept=NDJSON)
        result = ProfileStream(response, url, params, levels=parse_levels(depth))
        if warn:
            result.warn_if_incomplete(stacklevel=2)
        return result

    # -- months ------------------------------------------------------------------------------
    def months(self) -> List[MonthInfo]:
        """The built months (``GET /v1/months``), oldest first as the server lists them."""
        body, _ = self._transport.json("GET", "/v1/months")
        items = body.get("months", []) if isinstance(body, Mapping) else body
        if not isinstance(items, list):
            raise ArgoHTTPError(200, self._transport.url("/v1/months"), "unexpected body", repr(body)[:200])
        return [MonthInfo.from_json(m) for m in items if isinstance(m, Mapping)]

    def month(self, month: MonthLike) -> MonthInfo:
        """One month's summary (``GET /v1/months/{YYYY-MM}``), including the files that failed.

        Raises :class:`~argoprofiles.errors.ArgoNotFoundError` for a month that is not built.
        """
        key = format_month(month)
        body, _ = self._transport.json("GET", "/v1/months/" + urllib.parse.quote(key))
        if isinstance(body, Mapping) and isinstance(body.get("month"), Mapping):
            body = body["month"]
        if not isinstance(body, Mapping):
            raise ArgoHTTPError(200, self._transport.url("/v1/months/" + key), "unexpected body", repr(body)[:200])
        return MonthInfo.from_json(body)

    # -- builds (admin) ----------------------------------------------------------------------
    def build(
        self,
        months: Union[MonthLike, Iterable[MonthLike], None] = None,
        start: Optional[MonthLike] = None,
        end: Optional[MonthLike] = None,
        wait: bool = False,
        poll: float = 1.0,
        progress: Union[ProgressCallback, bool, None] = None,
        wait_timeout: Optional[float] = None,
        allow_shrink: bool = False,
    ) -> Build:
        """Starts an index build (``POST /admin/builds``); needs ``Client(token=...)``.

        Give either ``months`` (one month or a list: ``["2023-04", "2023-05"]``) or ``start`` and
        ``end`` (months, both included: ``start="2023-01", end="2023-06"``).

        Args:
            wait: poll until the build has finished (and raise
                :class:`~argoprofiles.errors.ArgoBuildError` if it failed).
            poll: seconds between two status requests while waiting.
            progress: while waiting, a callable called with each :class:`Build` snapshot, or
                ``True`` to print a progress line on stderr.
            wait_timeout: stop waiting after this many seconds (``TimeoutError``); the build
                goes on on the server.
            allow_shrink: accept new month versions that lose more than a fifth of their
                profiles (the service refuses them by default, keeping the existing version).

        Returns:
            The :class:`~argoprofiles.models.Build` (final state when ``wait``).
        """
        body: Dict[str, Any]
        if months is not None:
            if start is not None or end is not None:
                raise ValueError("give either months or start/end, not both")
            one = isinstance(months, (str, tuple)) or not isinstance(months, Iterable)
            wanted: List[Any] = [months] if one else list(months)  # type: ignore[arg-type]
            body = {"months": [format_month(m) for m in wanted]}
            if not body["months"]:
                raise ValueError("months is empty")
        elif start is not None and end is not None:
            body = {"start": format_month(start), "end": format_month(end)}
        else:
            raise ValueError("give months=[...] or both start= and end=")
        if allow_shrink:
            body["allow_shrink"] = True
        data, headers = self._transport.json("POST", "/admin/builds", body=body)
        if not isinstance(data, Mapping) or "id" not in data:
            raise ArgoHTTPError(202, self._transport.url("/admin/builds"), "unexpected body", repr(data)[:200])
        build = Build.from_json(data, client=self, location=headers.get("Location"))
        if wait:
            self._wait_build(build, poll=poll, progress=progress, timeout=wait_timeout, check=True)
        return build

    def get_build(self, build_id: str) -> Build:
        """The current state of a build (``GET /admin/builds/{id}``)."""
        path = "/admin/builds/" + urllib.parse.quote(str(build_id), safe="")
        data, _ = self._transport.json("GET", path)
        if not isinstance(data, Mapping) or "id" not in data:
            raise ArgoHTTPError(200, self._transport.url(path), "unexpected body", repr(data)[:200])
        return Build.from_json(data, client=self, location=path)

    def _wait_build(
        self,
        build: Build,
        poll: float,
        progress: Union[ProgressCallback, bool, None],
        timeout: Optional[float],
        check: bool,
    ) -> Build:
        """Polls ``build`` until it has finished; see :meth:`Build.wait`."""
        if poll <= 0:
            raise ValueError("poll must be > 0 seconds")
        report: Optional[ProgressCallback]
        if progress is True:
            report = _StderrProgress()
        elif callable(progress):
            report = progress
        else:
            report = None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if report is not None:
                report(build)
            if build.finished:
                break
            if deadline is not None and time.monotonic() + poll > deadline:
                raise TimeoutError(f"build {build.id} still {build.status} after {timeout} s")
            time.sleep(poll)
            build.refresh()
        if check and build.status == "failed":
            raise ArgoBuildError(build)
        return build


class _StderrProgress:
    """``progress=True``: one self-overwriting status line on stderr, a newline at the end."""

    def __init__(self, stream: Optional[TextIO] = None) -> None:
        self._stream = stream if stream is not None else sys.stderr

    def __call__(self, build: Build) -> None:
        p = build.progress
        pct = f" {100 * p.fraction:3.0f}%" if p.fraction is not None else ""
        failed = f", {p.failed} failed" if p.failed else ""
        line = f"build {build.id} [{','.join(build.months)}]: {build.status}{pct} ({p.done}/{p.total}{failed})"
        self._stream.write("\r" + line.ljust(79))
        if build.finished:
            self._stream.write("\n")
        self._stream.flush()
