"""The client: one object per service, one method per route."""

from __future__ import annotations

import os
import sys
import time
import urllib.parse
import warnings
from typing import Any, BinaryIO, Dict, Iterable, List, Mapping, Optional, TextIO, Tuple, Union

from . import __version__
from ._headers import header_bool, header_int, header_list, next_link
from ._http import DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT, Transport, iter_chunks
from .errors import ArgoBuildError, ArgoHTTPError, ArgoMonthsMissingWarning, ArgoNotFoundError, ArgoTruncatedWarning
from .models import Build, Download, MonthInfo, PlatformInfo, ProgressCallback, QueryCounts
from .params import (
    FORMATS,
    BBoxLike,
    DepthLike,
    MonthLike,
    PlatformLike,
    PointLike,
    PolygonLike,
    TimeLike,
    format_format,
    format_month,
    format_wmo,
    parse_levels,
    profile_query,
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
        token: the admin bearer token (the server's ``ARGO_ADMIN_TOKEN``), needed for the admin
            methods (:meth:`build`, :meth:`builds`, :meth:`cancel_build`, :meth:`delete_month`, ...);
            sent as ``Authorization: Bearer`` with every request (public routes ignore it).
        compress: ask for gzip bodies (``Accept-Encoding: gzip``); decoded as they stream.
        api_key: an API key, sent as ``X-API-Key`` with every request; the service's rate limits
            then apply per key rather than per address.
        max_retries: how many times one request is retried after a 429 or 503 answer that
            carries ``Retry-After`` (waiting the delay it names). ``0`` never retries.
        max_retry_wait: the longest ``Retry-After`` (seconds) waited out; a longer one is raised
            at once as :class:`~argoprofiles.errors.ArgoRateLimitError` (429) or
            :class:`~argoprofiles.errors.ArgoHTTPError` (503), with ``.retry_after`` set.

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
        api_key: Optional[str] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
    ) -> None:
        headers = {"User-Agent": f"argoprofiles/{__version__} (python)"}
        if compress:
            headers["Accept-Encoding"] = "gzip"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        self._token = token
        self._api_key = api_key
        self._transport = Transport(base_url, timeout, headers, max_retries=max_retries, max_retry_wait=max_retry_wait)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def __repr__(self) -> str:
        return (
            f"Client({self.base_url!r}, timeout={self._transport.timeout}, token={'***' if self._token else None}, "
            f"api_key={'***' if self._api_key else None})"
        )

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
        *,
        dataset: Optional[str] = None,
        fields: Optional[str] = None,
        polygon: Optional[PolygonLike] = None,
        near: Optional[PointLike] = None,
        radius_km: Optional[float] = None,
        cursor: Optional[str] = None,
        all: bool = False,
    ) -> ProfileStream:
        """Queries ``GET /v1/profiles`` for the window ``[start, end)`` and returns the stream.

        The request is sent at once: a bad parameter raises
        :class:`~argoprofiles.errors.ArgoQueryError` here, and the result's ``matched``,
        ``truncated``, ``months_missing`` and ``next`` are known before the first profile is read.

        Args:
            start: window start, inclusive: ``datetime`` (naive = UTC), ``date``, ISO 8601 str.
            end: window end, exclusive. The server caps the window length (one year by default).
            depth: target levels: ``[0, 10, 20]``, ``range(0, 1001, 10)``, ``"0:1000:10"`` (stop
                included) or ``"0,10,20"``; ``None`` (default) returns each profile's native levels.
            variables: ``["TEMP", "PSAL"]`` (server default), any of ``TEMP``, ``PSAL``, ``PRES``;
                with ``dataset="bgc"`` also any BGC parameter (``DOXY``, ``CHLA``, ``BBP700``, ...).
            mode: QC mode: ``"standard"`` (server default), ``"research"`` or ``"expert"``.
            vertical: ``"depth"`` (m, server default) or ``"pressure"`` (dbar) for the levels.
            bbox: ``(lon_min, lat_min, lon_max, lat_max)``; ``lon_min > lon_max`` crosses 180°.
            platform: WMO number(s): ``"6903247"``, ``6903247`` or a list of them.
            max_profiles: keep the first N profiles in time order (with ``all=True``: the page size).
            extra_params: more query parameters, sent as given (service extensions).
            warn: emit :class:`~argoprofiles.errors.ArgoTruncatedWarning` /
                :class:`~argoprofiles.errors.ArgoMonthsMissingWarning` when the result is
                incomplete (the facts are always on the result's attributes).
            dataset: ``"phy"`` (server default: core files) or ``"bgc"`` (synthetic BGC files).
            fields: ``"positions"``: metadata and position only, no level data (fast: the
                service reads no profile file).
            polygon: ``[(lon, lat), ...]`` (closed by the service; may cross the antimeridian),
                a GeoJSON Polygon or a shapely Polygon.
            near: ``(lon, lat)``, with ``radius_km``: profiles within that great-circle distance.
            radius_km: the radius of ``near``, in km.
            cursor: continue after the last profile of a previous page (its ``next_cursor``).
            all: follow the service's ``Link: rel="next"`` pages while iterating, yielding the
                whole result rather than its first ``max_profiles``.

        Returns:
            A :class:`~argoprofiles.stream.ProfileStream`: iterate it, or call
            ``to_dataframe()`` / ``to_xarray()`` (repeatable).
        """
        params = profile_query(
            start, end, depth=depth, variables=variables, mode=mode, vertical=vertical, bbox=bbox,
            platform=platform, max_profiles=max_profiles, dataset=dataset, fields=fields, polygon=polygon,
            near=near, radius_km=radius_km, cursor=cursor, extra_params=extra_params,
        )
        return self._stream("/v1/profiles", params, depth, follow=all, warn=warn)

    def platform_profiles(
        self,
        wmo: Union[str, int],
        start: Optional[TimeLike] = None,
        end: Optional[TimeLike] = None,
        depth: Optional[DepthLike] = None,
        variables: Union[str, Iterable[str], None] = None,
        mode: Optional[str] = None,
        vertical: Optional[str] = None,
        bbox: Optional[BBoxLike] = None,
        max_profiles: Optional[int] = None,
        extra_params: Optional[Mapping[str, str]] = None,
        warn: bool = True,
        *,
        dataset: Optional[str] = None,
        fields: Optional[str] = None,
        polygon: Optional[PolygonLike] = None,
        near: Optional[PointLike] = None,
        radius_km: Optional[float] = None,
        cursor: Optional[str] = None,
        all: bool = False,
    ) -> ProfileStream:
        """All of one float's profiles (``GET /v1/platforms/{wmo}/profiles``), across every built month.

        Takes the parameters of :meth:`profiles`; ``start``/``end`` are optional and the
        window ceiling does not apply. With ``all=True`` the pages the service cuts at
        ``max_profiles`` are followed by themselves.
        """
        params = profile_query(
            start, end, depth=depth, variables=variables, mode=mode, vertical=vertical, bbox=bbox,
            max_profiles=max_profiles, dataset=dataset, fields=fields, polygon=polygon, near=near,
            radius_km=radius_km, cursor=cursor, extra_params=extra_params,
        )
        path = "/v1/platforms/" + urllib.parse.quote(format_wmo(wmo), safe="") + "/profiles"
        return self._stream(path, params, depth, follow=all, warn=warn)

    def _stream(
        self, path: str, params: Dict[str, str], depth: Optional[DepthLike], follow: bool, warn: bool
    ) -> ProfileStream:
        params["format"] = "ndjson"
        response, url = self._transport.open("GET", path, params=params, accept=NDJSON)

        def open_page(link: str) -> Tuple[Any, str]:
            return self._transport.open_url("GET", self._page_url(link, path), accept=NDJSON)

        result = ProfileStream(response, url, params, levels=parse_levels(depth), follow=follow, open_page=open_page)
        if warn:
            result.warn_if_incomplete(stacklevel=3)
        return result

    def _page_url(self, link: str, path: str) -> str:
        """Where to fetch a ``Link`` target (already resolved against the request URL).

        A link on this service (same scheme, host and port, under the base URL's path) is
        followed as it is. Any other (a proxy that rewrites hosts or path prefixes, a service
        that knows only its internal address) has its query string, cursor included, sent to
        the route this client asked: credentials never leave the configured service, and a
        deployment behind a proxy still pages.
        """
        if self._transport.is_own(link):
            return link
        query = urllib.parse.urlsplit(link).query
        if not query:
            raise ArgoHTTPError(200, link, "unusable next link", "the link has no query string to continue from")
        return self._transport.url(path) + "?" + query

    def count(
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
        *,
        dataset: Optional[str] = None,
        fields: Optional[str] = None,
        polygon: Optional[PolygonLike] = None,
        near: Optional[PointLike] = None,
        radius_km: Optional[float] = None,
        cursor: Optional[str] = None,
    ) -> QueryCounts:
        """How many profiles a query matches, without the data (``HEAD /v1/profiles``).

        Takes the parameters of :meth:`profiles`; returns its headers as a
        :class:`~argoprofiles.models.QueryCounts` (``matched``, ``truncated``,
        ``months_missing``, ``next``).
        """
        params = profile_query(
            start, end, depth=depth, variables=variables, mode=mode, vertical=vertical, bbox=bbox,
            platform=platform, max_profiles=max_profiles, dataset=dataset, fields=fields, polygon=polygon,
            near=near, radius_km=radius_km, cursor=cursor, extra_params=extra_params,
        )
        params["format"] = "ndjson"
        response, url = self._transport.open("HEAD", "/v1/profiles", params=params, accept=NDJSON)
        try:
            headers = response.headers
            return QueryCounts(
                url=url,
                matched=header_int(headers.get("X-Argo-Profiles-Matched")),
                truncated=header_bool(headers.get("X-Argo-Truncated")),
                months_missing=header_list(headers.get("X-Argo-Months-Missing")),
                next=next_link(headers, url),
            )
        finally:
            response.close()

    def download(
        self,
        start: TimeLike,
        end: TimeLike,
        format: str,
        to: Union[str, "os.PathLike[str]", BinaryIO, None] = None,
        depth: Optional[DepthLike] = None,
        variables: Union[str, Iterable[str], None] = None,
        mode: Optional[str] = None,
        vertical: Optional[str] = None,
        bbox: Optional[BBoxLike] = None,
        platform: Optional[PlatformLike] = None,
        max_profiles: Optional[int] = None,
        extra_params: Optional[Mapping[str, str]] = None,
        warn: bool = True,
        *,
        dataset: Optional[str] = None,
        fields: Optional[str] = None,
        polygon: Optional[PolygonLike] = None,
        near: Optional[PointLike] = None,
        radius_km: Optional[float] = None,
        cursor: Optional[str] = None,
    ) -> Download:
        """A query's body in one of the service's formats, as bytes or streamed to a file.

        For the formats other tools read: ``"geojson"`` (RFC 7946, for kepler.gl, deck.gl,
        geopandas), ``"parquet"`` and ``"arrow"`` (the long table of ``csv``, typed: pandas,
        DuckDB, polars), ``"csv"``, ``"json"`` or ``"ndjson"``. The client does not parse these;
        ``pandas.read_parquet(io.BytesIO(d.content))`` and the like do.

        Args:
            format: one of ``ndjson``, ``json``, ``csv``, ``geojson``, ``parquet``, ``arrow``.
            to: a path or a binary file object: the body is written there as it arrives (the
                returned ``content`` is then ``None``); ``None`` returns it in ``content``.
            The others: as in :meth:`profiles`. The result is one page: when ``truncated``,
            ``download(..., cursor=d.next_cursor)`` gets the next.
        """
        fmt = format_format(format)
        params = profile_query(
            start, end, depth=depth, variables=variables, mode=mode, vertical=vertical, bbox=bbox,
            platform=platform, max_profiles=max_profiles, dataset=dataset, fields=fields, polygon=polygon,
            near=near, radius_km=radius_km, cursor=cursor, extra_params=extra_params,
        )
        params["format"] = fmt
        response, url = self._transport.open("GET", "/v1/profiles", params=params, accept=FORMATS[fmt])
        try:
            headers = response.headers
            size = 0
            content: Optional[bytes] = None
            if to is None:
                parts = []
                for chunk in iter_chunks(response):
                    parts.append(chunk)
                    size += len(chunk)
                content = b"".join(parts)
            elif hasattr(to, "write"):
                for chunk in iter_chunks(response):
                    to.write(chunk)
                    size += len(chunk)
            else:
                with open(os.fspath(to), "wb") as f:
                    for chunk in iter_chunks(response):
                        f.write(chunk)
                        size += len(chunk)
            result = Download(
                url=url,
                format=fmt,
                media_type=str(headers.get("Content-Type") or ""),
                content=content,
                size=size,
                matched=header_int(headers.get("X-Argo-Profiles-Matched")),
                truncated=header_bool(headers.get("X-Argo-Truncated")),
                months_missing=header_list(headers.get("X-Argo-Months-Missing")),
                next=next_link(headers, url),
            )
        finally:
            response.close()
        if warn and result.truncated:
            warnings.warn(
                f"download truncated: {result.matched if result.matched is not None else 'more'} profiles matched; "
                "download(..., cursor=result.next_cursor) gets the next page",
                ArgoTruncatedWarning,
                stacklevel=2,
            )
        if warn and result.months_missing:
            warnings.warn(
                "no built index for month(s) " + ", ".join(result.months_missing) + "; their profiles are absent",
                ArgoMonthsMissingWarning,
                stacklevel=2,
            )
        return result

    # -- platforms ---------------------------------------------------------------------------
    def platform(self, wmo: Union[str, int]) -> PlatformInfo:
        """A float's summary (``GET /v1/platforms/{wmo}``): cycles, first and last time, last
        position, DAC, months, parameters. Raises :class:`~argoprofiles.errors.ArgoNotFoundError`
        for a float that no built month holds."""
        key = format_wmo(wmo)
        path = "/v1/platforms/" + urllib.parse.quote(key, safe="")
        body, _ = self._transport.json("GET", path)
        if isinstance(body, Mapping) and isinstance(body.get("platform"), Mapping):
            body = body["platform"]
        if not isinstance(body, Mapping):
            raise ArgoHTTPError(200, self._transport.url(path), "unexpected body", repr(body)[:200])
        return PlatformInfo.from_json(body, wmo=key)

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

    def builds(self, limit: Optional[int] = None, all: bool = False) -> List[Build]:
        """Recent build jobs (``GET /admin/builds``), as the service lists them (newest first).

        Args:
            limit: ask for at most this many per page (the service bounds it anyway).
            all: follow the service's next pages (``Link: rel="next"`` or a ``next`` member) and
                return every job it still remembers.
        """
        path = "/admin/builds"
        params: Dict[str, str] = {}
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise ValueError(f"limit must be an int >= 1, got {limit!r}")
            params["limit"] = str(limit)
        url = self._transport.url(path, params)
        body, headers = self._transport.json_url("GET", url)
        jobs: List[Build] = []
        seen = {url}
        while True:
            if isinstance(body, list):
                items: Any = body
            elif isinstance(body, Mapping):
                items = body.get("builds", body.get("jobs", body.get("items")))
            else:
                items = None
            if not isinstance(items, list):
                raise ArgoHTTPError(200, url, "unexpected body", repr(body)[:200])
            jobs.extend(Build.from_json(b, client=self, location=f"{path}/{b['id']}") for b in items
                        if isinstance(b, Mapping) and "id" in b)
            link = next_link(headers, url)
            if link is None and isinstance(body, Mapping) and isinstance(body.get("next"), str) and body["next"]:
                nxt = body["next"]
                # A URL (absolute or relative) or a bare cursor.
                link = urllib.parse.urljoin(url, nxt) if ("?" in nxt or "/" in nxt) else self._transport.url(
                    path, dict(params, cursor=nxt)
                )
            if not all or link is None or link in seen:
                return jobs
            seen.add(link)
            url = self._page_url(link, path)
            body, headers = self._transport.json_url("GET", url)

    def cancel_build(self, build_id: str) -> Optional[Build]:
        """Cancels a running build (``DELETE /admin/builds/{id}``).

        The service stops it and keeps every month that existed before. Returns the build's
        state: from the answer's body, or fetched when the answer has none (``None`` if the
        service no longer knows the build). Raises
        :class:`~argoprofiles.errors.ArgoNotFoundError` for an unknown id.
        """
        path = "/admin/builds/" + urllib.parse.quote(str(build_id), safe="")
        data, _ = self._transport.json("DELETE", path)
        if isinstance(data, Mapping) and isinstance(data.get("build"), Mapping):
            data = data["build"]
        if isinstance(data, Mapping) and "id" in data:
            return Build.from_json(data, client=self, location=path)
        try:
            return self.get_build(build_id)
        except ArgoNotFoundError:
            return None

    def delete_month(self, month: MonthLike) -> Dict[str, Any]:
        """Removes a month from the master index (``DELETE /admin/months/{YYYY-MM}``).

        Its profiles stop being served at once; the service garbage-collects its objects.
        Returns the service's answer (``{}`` when it has no body). Raises
        :class:`~argoprofiles.errors.ArgoNotFoundError` for a month that is not built.
        """
        key = format_month(month)
        data, _ = self._transport.json("DELETE", "/admin/months/" + urllib.parse.quote(key, safe=""))
        return dict(data) if isinstance(data, Mapping) else {}

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
        if check and (build.status == "failed" or build.cancelled):
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
