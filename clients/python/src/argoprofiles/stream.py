"""The streamed result of a profile query, page after page when asked to follow cursors."""

from __future__ import annotations

import json
import urllib.parse
import warnings
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Type

from ._headers import header_bool, header_int, header_list, next_link, parse_units, query_value
from ._http import iter_lines
from .errors import ArgoError, ArgoMonthsMissingWarning, ArgoStreamError, ArgoTruncatedWarning
from .models import Profile

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import xarray

#: Opens the page at a ``Link`` target (absolute URL): returns ``(response, url requested)``.
PageOpener = Callable[[str], Tuple[Any, str]]


class ProfileStream:
    """The profiles of one query, read from the HTTP response as they arrive.

    **Iterating** yields :class:`~argoprofiles.models.Profile` objects one by one, holding only
    the current line in memory, so a large window is processed in constant memory; such a
    stream is read once. **Converting** (:meth:`to_dataframe`, :meth:`to_xarray`,
    :meth:`to_list`) reads the stream to its end and keeps the profiles, so a result can be
    converted again, and iterated again, afterwards.

    **Pages.** When the service cuts a result at ``max_profiles`` it sends
    ``Link: <...>; rel="next"`` (a cursor). With ``all=True`` the iteration follows those links by
    itself and yields the concatenation of the pages; otherwise :attr:`next` /
    :attr:`next_cursor` say where the result continues and :meth:`next_page` opens it.

    The response headers are read before any profile:

    Attributes:
        matched: profiles matching the query before the ``max_profiles`` cap
            (``X-Argo-Profiles-Matched`` of the first page; ``None`` if the server did not send it).
        truncated: ``True`` when the cap cut the page last opened (``X-Argo-Truncated``).
        months_missing: months of the window without a built index (``X-Argo-Months-Missing``,
            over every page opened); their profiles are absent from the result.
        next: the absolute URL of the next page (the ``rel="next"`` link of the page last opened,
            resolved against its URL), or ``None``.
        variable_metadata: per-variable attributes sent by the service (``units``,
            ``long_name``, ...), from an ``X-Argo-Units`` header or a ``{"metadata": ...}`` line;
            complete once the stream has been read. The conversions prefer them to the client's
            built-in table.
        count: profiles yielded so far.
        pages: responses opened so far.
        url: the first request's URL; :attr:`urls` lists every page's.
        query: the query parameters as sent.

    Use it as a context manager (or call :meth:`close`) to release the connection when you stop
    before the end; reaching the end closes it by itself.
    """

    def __init__(
        self,
        response: Any,
        url: str,
        query: Dict[str, str],
        levels: Optional[List[float]] = None,
        follow: bool = False,
        open_page: Optional[PageOpener] = None,
    ) -> None:
        self._response = response
        self.url = url
        self.urls: List[str] = [url]
        self.query = dict(query)
        #: The target levels the query asked for (``None`` for native levels), when known.
        self.requested_levels = levels
        self._follow = follow
        self._open_page = open_page
        headers = response.headers
        self.matched: Optional[int] = header_int(headers.get("X-Argo-Profiles-Matched"))
        self.truncated: bool = header_bool(headers.get("X-Argo-Truncated"))
        self.months_missing: List[str] = header_list(headers.get("X-Argo-Months-Missing"))
        self.next: Optional[str] = next_link(headers, url)
        self.variable_metadata: Dict[str, Dict[str, Any]] = parse_units(headers.get("X-Argo-Units"))
        self.count = 0
        self.pages = 1
        self._started = False
        self._closed = False
        self._kept: Optional[List[Profile]] = None
        self._failure: Optional[ArgoStreamError] = None

    # -- query facts -------------------------------------------------------------------------
    @property
    def vertical(self) -> str:
        """``depth`` (m) or ``pressure`` (dbar): the vertical coordinate of the levels."""
        return self.query.get("vertical", "depth")

    @property
    def native(self) -> bool:
        """``True`` when no target levels were asked for (profiles on their own levels)."""
        return "depth" not in self.query

    @property
    def positions(self) -> bool:
        """``True`` for ``fields=positions``: metadata and position only, no level data."""
        return self.query.get("fields") == "positions"

    @property
    def next_cursor(self) -> Optional[str]:
        """The ``cursor`` of :attr:`next`: pass it as ``profiles(..., cursor=...)`` to continue."""
        return query_value(self.next, "cursor")

    def warn_if_incomplete(self, stacklevel: int = 2) -> None:
        """Emits :class:`ArgoTruncatedWarning` / :class:`ArgoMonthsMissingWarning` when relevant.

        A cut result that will be followed (``all=True`` and a next link) is not incomplete.
        """
        if self.truncated and not (self._follow and self.next):
            cap = self.query.get("max_profiles", "the server's default")
            hint = (
                "pass all=True to follow the next pages, or use next_page()"
                if self.next
                else "raise max_profiles or narrow the window"
            )
            warnings.warn(
                f"result truncated: {self.matched if self.matched is not None else 'more'} profiles matched, "
                f"max_profiles={cap} returned; {hint}",
                ArgoTruncatedWarning,
                stacklevel=stacklevel + 1,
            )
        if self.months_missing:
            warnings.warn(
                "no built index for month(s) " + ", ".join(self.months_missing) + "; their profiles are absent",
                ArgoMonthsMissingWarning,
                stacklevel=stacklevel + 1,
            )

    # -- iteration ---------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Profile]:
        if self._kept is not None:
            return iter(self._kept)
        if self._started:
            raise RuntimeError(
                "this result has already been iterated: plain iteration streams without keeping the "
                "profiles. Convert it first (to_list(), to_dataframe() and to_xarray() keep them and "
                "can be repeated), keep list(result), or run the query again"
            )
        self._started = True
        if self._closed:
            return iter(())
        return self._profiles()

    def _profiles(self) -> Iterator[Profile]:
        seen: Set[str] = {self.url}
        try:
            while True:
                for line in iter_lines(self._response):
                    profile = self._parse(line)
                    if profile is None:
                        continue
                    self.count += 1
                    yield profile
                if not (self._follow and self.next):
                    break
                self._advance(seen)
        except ArgoStreamError as exc:
            exc.profiles_read = self.count
            raise
        finally:
            self.close()

    def _parse(self, line: bytes) -> Optional[Profile]:
        """One NDJSON line: a profile, or ``None`` for a blank or metadata line."""
        if not line.strip():
            return None
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ArgoStreamError(f"unparseable line (body cut short?): {line[:120]!r}") from exc
        if not isinstance(obj, dict):
            raise ArgoStreamError(f"expected one JSON object per line, got {line[:120]!r}")
        if "id" not in obj:
            if "error" in obj:  # API.md: the stream's last line on failure
                err = obj["error"] if isinstance(obj["error"], dict) else {"message": str(obj["error"])}
                status = err.get("status")
                raise ArgoStreamError(
                    str(err.get("message", "error")),
                    status=int(status) if isinstance(status, (int, float)) else None,
                )
            if "metadata" in obj:
                self._add_metadata(obj["metadata"])
                return None
        try:
            return Profile.from_json(obj)
        except (KeyError, TypeError, ValueError) as exc:
            raise ArgoStreamError(f"malformed profile line: {exc!r}") from exc

    def _add_metadata(self, meta: Any) -> None:
        """Merges a metadata line's per-variable attributes.

        Understood: ``{"variables": {"DOXY": {"units": ..., "long_name": ...}}}``, the same
        without the ``variables`` level, or ``{"variables": [{"name": "DOXY", "units": ...}]}``.
        Non-scalar attribute values are ignored (they cannot be netCDF attributes).
        """
        if not isinstance(meta, Mapping):
            return
        variables = meta.get("variables", meta)
        items: List[Tuple[Any, Any]] = []
        if isinstance(variables, Mapping):
            items = list(variables.items())
        elif isinstance(variables, list):
            items = [(v.get("name"), v) for v in variables if isinstance(v, Mapping)]
        for name, attrs in items:
            if not name or not isinstance(attrs, Mapping):
                continue
            scalars = {
                str(k): v
                for k, v in attrs.items()
                if k != "name" and isinstance(v, (str, int, float)) and not isinstance(v, bool)
            }
            self.variable_metadata.setdefault(str(name), {}).update(scalars)

    def _advance(self, seen: Set[str]) -> None:
        """Closes the current page and opens the one :attr:`next` names."""
        link = self.next
        assert link is not None and self._open_page is not None
        if link in seen:
            raise ArgoStreamError(f"the service's next link repeats a page already read ({link}); stopped there")
        self._response.close()
        try:
            response, url = self._open_page(link)
        except ArgoError as exc:
            raise ArgoStreamError(
                f"opening page {self.pages + 1} ({link}) failed: {exc}", status=getattr(exc, "status", None)
            ) from exc
        seen.update((link, url))
        self._response = response
        self.urls.append(url)
        self.pages += 1
        headers = response.headers
        self.truncated = header_bool(headers.get("X-Argo-Truncated"))
        for month in header_list(headers.get("X-Argo-Months-Missing")):
            if month not in self.months_missing:
                self.months_missing.append(month)
        self.next = next_link(headers, url)
        for name, attrs in parse_units(headers.get("X-Argo-Units")).items():
            self.variable_metadata.setdefault(name, {}).update(attrs)

    def next_page(self) -> Optional["ProfileStream"]:
        """Opens the next page (:attr:`next`) as a new result, or returns ``None`` on the last page.

        Works whether or not this page has been read. The new result does not follow further
        pages by itself; call :meth:`next_page` on it in turn (or query with ``all=True``).
        """
        if self.next is None:
            return None
        if self._open_page is None:
            raise RuntimeError("this result cannot open pages (it was not made by a Client)")
        response, url = self._open_page(self.next)
        query = dict(self.query)
        query.update(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))
        return ProfileStream(response, url, query, levels=self.requested_levels, open_page=self._open_page)

    def close(self) -> None:
        """Closes the connection; further iteration yields nothing."""
        if not self._closed:
            self._closed = True
            self._response.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "ProfileStream":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._kept is not None:
            state = "kept"
        else:
            state = "closed" if self._closed else ("reading" if self._started else "unread")
        return (
            f"<ProfileStream {state} matched={self.matched} truncated={self.truncated} "
            f"months_missing={self.months_missing} read={self.count} pages={self.pages} url={self.url!r}>"
        )

    # -- conversions -------------------------------------------------------------------------
    def to_list(self) -> List[Profile]:
        """Reads the rest of the stream (every page with ``all=True``) and returns the profiles.

        The profiles are kept: this and the other conversions can be called again, and the
        result iterated again. Raises ``RuntimeError`` if plain iteration has already started
        (it does not keep what it read), and the stream's :class:`ArgoStreamError` if the body
        failed (again at each later call: a partial result is never converted silently).
        """
        return list(self._kept_profiles())

    def _kept_profiles(self) -> List[Profile]:
        if self._kept is not None:
            return self._kept
        if self._failure is not None:
            raise self._failure
        profiles = iter(self)
        kept: List[Profile] = []
        try:
            kept.extend(profiles)
        except ArgoStreamError as exc:
            self._failure = exc
            raise
        self._kept = kept
        return kept

    def _metadata(self) -> Dict[str, Any]:
        return {
            "query": dict(self.query),
            "url": self.url,
            "matched": self.matched,
            "truncated": self.truncated,
            "months_missing": list(self.months_missing),
            "pages": self.pages,
            "variables": {k: dict(v) for k, v in self.variable_metadata.items()},
        }

    def to_dataframe(self) -> "pandas.DataFrame":
        """The result as a long-format :class:`pandas.DataFrame` (one row per profile and level;
        one row per profile for ``fields="positions"``); see :func:`argoprofiles.convert.to_dataframe`.

        Keeps the profiles it reads (see :meth:`to_list`). Needs ``pandas``
        (``pip install 'argoprofiles[pandas]'``).
        """
        from .convert import to_dataframe

        profiles = self._kept_profiles()
        return to_dataframe(
            profiles, vertical=self.vertical, native=self.native, metadata=self._metadata(), positions=self.positions
        )

    def to_xarray(self) -> "xarray.Dataset":
        """The result as an :class:`xarray.Dataset` (``profile`` × ``level``; ``profile`` only for
        ``fields="positions"``); see :func:`argoprofiles.convert.to_xarray`.

        Keeps the profiles it reads (see :meth:`to_list`). Needs ``xarray``
        (``pip install 'argoprofiles[xarray]'``).
        """
        from .convert import to_xarray

        profiles = self._kept_profiles()
        return to_xarray(
            profiles,
            vertical=self.vertical,
            native=self.native,
            levels=self.requested_levels,
            metadata=self._metadata(),
            positions=self.positions,
        )
