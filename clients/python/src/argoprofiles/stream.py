"""The streamed result of a profile query."""

from __future__ import annotations

import json
import warnings
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Type

from ._http import iter_lines
from .errors import ArgoMonthsMissingWarning, ArgoStreamError, ArgoTruncatedWarning
from .models import Profile

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import xarray


def _header_int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value is not None and value.strip() else None
    except ValueError:
        return None


def _header_list(value: Optional[str]) -> List[str]:
    return [m.strip() for m in (value or "").split(",") if m.strip()]


class ProfileStream:
    """The profiles of one query, read from the HTTP response as they arrive.

    Iterate over it to get :class:`~argoprofiles.models.Profile` objects one by one; only the
    current line is held in memory, so a large window can be processed in constant memory. The
    stream can be consumed once (``list(result)`` keeps everything if you need it twice).

    The response headers are read before any profile:

    Attributes:
        matched: profiles matching the query before the ``max_profiles`` cap
            (``X-Argo-Profiles-Matched``; ``None`` if the server did not send it).
        truncated: ``True`` when the cap cut the result (``X-Argo-Truncated``).
        months_missing: months of the window without a built index (``X-Argo-Months-Missing``);
            their profiles are absent from the result.
        count: profiles yielded so far.
        url: the request URL.
        query: the query parameters as sent.

    Use it as a context manager (or call :meth:`close`) to release the connection when you stop
    before the end; reaching the end closes it by itself.
    """

    def __init__(self, response: Any, url: str, query: Dict[str, str], levels: Optional[List[float]] = None) -> None:
        self._response = response
        self.url = url
        self.query = dict(query)
        #: The target levels the query asked for (``None`` for native levels), when known.
        self.requested_levels = levels
        headers = response.headers
        self.matched: Optional[int] = _header_int(headers.get("X-Argo-Profiles-Matched"))
        self.truncated: bool = (headers.get("X-Argo-Truncated") or "").strip().lower() == "true"
        self.months_missing: List[str] = _header_list(headers.get("X-Argo-Months-Missing"))
        self.count = 0
        self._started = False
        self._closed = False

    # -- query facts -------------------------------------------------------------------------
    @property
    def vertical(self) -> str:
        """``depth`` (m) or ``pressure`` (dbar): the vertical coordinate of the levels."""
        return self.query.get("vertical", "depth")

    @property
    def native(self) -> bool:
        """``True`` when no target levels were asked for (profiles on their own levels)."""
        return "depth" not in self.query

    def warn_if_incomplete(self, stacklevel: int = 2) -> None:
        """Emits :class:`ArgoTruncatedWarning` / :class:`ArgoMonthsMissingWarning` when relevant."""
        if self.truncated:
            cap = self.query.get("max_profiles", "the server's default")
            warnings.warn(
                f"result truncated: {self.matched if self.matched is not None else 'more'} profiles matched, "
                f"max_profiles={cap} returned; raise max_profiles or narrow the window",
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
        if self._started:
            raise RuntimeError(
                "this result has already been iterated; a stream is read once (keep list(result), "
                "or run the query again)"
            )
        self._started = True
        if self._closed:
            return iter(())
        return self._profiles()

    def _profiles(self) -> Iterator[Profile]:
        try:
            for line in iter_lines(self._response):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    raise ArgoStreamError(f"unparseable line (body cut short?): {line[:120]!r}") from exc
                if not isinstance(obj, dict):
                    raise ArgoStreamError(f"expected one JSON object per line, got {line[:120]!r}")
                if "error" in obj and "id" not in obj:  # API.md: the stream's last line on failure
                    err = obj["error"] if isinstance(obj["error"], dict) else {"message": str(obj["error"])}
                    status = err.get("status")
                    raise ArgoStreamError(
                        str(err.get("message", "error")),
                        status=int(status) if isinstance(status, (int, float)) else None,
                    )
                try:
                    profile = Profile.from_json(obj)
                except (KeyError, TypeError, ValueError) as exc:
                    raise ArgoStreamError(f"malformed profile line: {exc!r}") from exc
                self.count += 1
                yield profile
        except ArgoStreamError as exc:
            exc.profiles_read = self.count
            raise
        finally:
            self.close()

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
        state = "closed" if self._closed else ("reading" if self._started else "unread")
        return (
            f"<ProfileStream {state} matched={self.matched} truncated={self.truncated} "
            f"months_missing={self.months_missing} read={self.count} url={self.url!r}>"
        )

    # -- conversions -------------------------------------------------------------------------
    def _metadata(self) -> Dict[str, Any]:
        return {
            "query": dict(self.query),
            "url": self.url,
            "matched": self.matched,
            "truncated": self.truncated,
            "months_missing": list(self.months_missing),
        }

    def to_dataframe(self) -> "pandas.DataFrame":
        """Reads the (not yet iterated) stream into a long-format :class:`pandas.DataFrame`.

        One row per profile and level; see :func:`argoprofiles.convert.to_dataframe`.
        Needs ``pandas`` (``pip install argo_profiles_client[pandas]``).
        """
        from .convert import to_dataframe

        return to_dataframe(self, vertical=self.vertical, native=self.native, metadata=self._metadata())

    def to_xarray(self) -> "xarray.Dataset":
        """Reads the (not yet iterated) stream into an :class:`xarray.Dataset` (``profile`` × ``level``).

        See :func:`argoprofiles.convert.to_xarray`. Needs ``xarray``
        (``pip install argo_profiles_client[xarray]``).
        """
        from .convert import to_xarray

        return to_xarray(
            self,
            vertical=self.vertical,
            native=self.native,
            levels=self.requested_levels,
            metadata=self._metadata(),
        )
