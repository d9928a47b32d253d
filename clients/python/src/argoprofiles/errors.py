"""Exceptions and warnings raised by the client.

Every exception derives from :class:`ArgoError`, so ``except ArgoError`` catches anything the
service (or the network on the way to it) did wrong, while programming errors in the caller
(a bbox with three numbers, an unknown type for ``depth``) stay plain ``TypeError``/``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, List, Mapping, Optional

if TYPE_CHECKING:  # pragma: no cover - import cycle guard for type checkers only
    from .models import Build


class ArgoError(Exception):
    """Base class of every error raised by :mod:`argoprofiles`."""


class ArgoConnectionError(ArgoError):
    """The service could not be reached, or did not answer within the timeout."""


class ArgoHTTPError(ArgoError):
    """The service answered with an HTTP error status.

    Attributes:
        status: the HTTP status code.
        url: the URL that was requested.
        title: the problem's ``title`` (or the HTTP reason phrase).
        detail: the problem's ``detail`` (or the start of the body text), if any.
        body: the decoded JSON body when it was JSON, else ``None``.
        retry_after: seconds the server asked to wait (``Retry-After`` of a 429/503), else ``None``.
        retries: how many times the client retried before raising.
    """

    def __init__(
        self,
        status: int,
        url: str,
        title: str = "",
        detail: Optional[str] = None,
        body: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
        retries: int = 0,
        gave_up: Optional[str] = None,
    ) -> None:
        self.status = status
        self.url = url
        self.title = title
        self.detail = detail
        self.body = body
        self.retry_after = retry_after
        self.retries = retries
        self._gave_up = gave_up
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"HTTP {self.status}"
        if self.title:
            text += f" {self.title}"
        if self.detail:
            text += f": {self.detail}"
        text += f" ({self.url})"
        if self._gave_up:
            text += f"; {self._gave_up}"
        if self.retry_after is not None:
            text += f"; the server asks to retry after {self.retry_after:g} s"
        return text


class ArgoAuthError(ArgoHTTPError):
    """401/403 from an admin route: no token, a wrong token, or admin disabled on the server."""

    def _message(self) -> str:
        return (
            super()._message()
            + " - the admin routes need Client(token=...) matching the server's ARGO_ADMIN_TOKEN,"
            " and refuse every request when the server has none configured"
        )


class ArgoNotFoundError(ArgoHTTPError):
    """404: an unknown month, build id, platform or route."""


class ArgoRateLimitError(ArgoHTTPError):
    """429 Too Many Requests: over the per-client rate limit, or a request too costly for now.

    The client has already waited and retried as the server's ``Retry-After`` asked (see
    ``Client(max_retries=..., max_retry_wait=...)``); :attr:`retry_after` is the last delay asked.
    """

    def _message(self) -> str:
        return (
            super()._message()
            + " - send fewer requests, narrow the query, or pass Client(api_key=...) if the service"
            " gives keys higher limits"
        )


@dataclass(frozen=True)
class ParameterProblem:
    """One bad query parameter, as named by a 400 ``application/problem+json`` body."""

    parameter: str
    message: str

    def __str__(self) -> str:
        return f"{self.parameter}: {self.message}"


class ArgoQueryError(ArgoHTTPError):
    """400 Bad Request: the query was refused; :attr:`errors` names each bad parameter.

    Attributes:
        errors: one :class:`ParameterProblem` per bad parameter (may be empty when the server
            did not name any).
    """

    def __init__(
        self,
        status: int,
        url: str,
        title: str = "",
        detail: Optional[str] = None,
        body: Optional[Mapping[str, Any]] = None,
        errors: Optional[List[ParameterProblem]] = None,
    ) -> None:
        self.errors: List[ParameterProblem] = list(errors or [])
        super().__init__(status, url, title, detail, body)

    @property
    def parameters(self) -> List[str]:
        """The names of the bad parameters, in the order the server listed them."""
        return [e.parameter for e in self.errors]

    def _message(self) -> str:
        text = f"HTTP {self.status} {self.title or 'Bad Request'}"
        if self.errors:
            text += ": " + "; ".join(str(e) for e in self.errors)
        elif self.detail:
            text += f": {self.detail}"
        return text


class ArgoStreamError(ArgoError):
    """The response body failed after it had started.

    Raised when iteration reaches the service's final ``{"error": {...}}`` line, or when the
    connection broke or the body was cut short without one. The profiles yielded before it are
    valid; the result is incomplete.

    Attributes:
        status: the status the service reported in its error line (``None`` when the stream
            was cut without one).
        message: the service's message, or a description of how the stream broke.
        profiles_read: how many profiles had been yielded before the failure.
    """

    def __init__(self, message: str, status: Optional[int] = None, profiles_read: int = 0) -> None:
        self.status = status
        self.message = message
        self.profiles_read = profiles_read
        super().__init__(message)

    def __str__(self) -> str:
        prefix = f"stream failed with status {self.status}" if self.status is not None else "stream broken"
        return f"{prefix} after {self.profiles_read} profile(s): {self.message}"


class ArgoBuildError(ArgoError):
    """A build that was being waited for finished with status ``failed`` (or was cancelled).

    Attributes:
        build: the final :class:`~argoprofiles.models.Build` snapshot (progress, months, raw body).
    """

    def __init__(self, build: "Build") -> None:
        self.build = build
        p = build.progress
        super().__init__(
            f"build {build.id} {'was cancelled' if build.cancelled else 'failed'} (months {', '.join(build.months) or '?'}; "
            f"{p.done}/{p.total} done, {p.failed} failed)"
        )


class ArgoWarning(UserWarning):
    """Base class of the warnings about incomplete results."""


class ArgoTruncatedWarning(ArgoWarning):
    """``max_profiles`` cut the result: more profiles matched than were returned."""


class ArgoMonthsMissingWarning(ArgoWarning):
    """Some months of the window have no built index, so their profiles are absent."""
