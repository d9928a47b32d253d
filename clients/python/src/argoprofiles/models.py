"""Plain data returned by the client: profiles, month summaries and builds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

#: One variable or level array: a float per level, ``None`` where there is no value.
Levels = List[Optional[float]]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_FRACTION = re.compile(r"\.(\d+)")
_PROFILE_META = (
    "id",
    "platform_number",
    "cycle_number",
    "direction",
    "data_mode",
    "time",
    "latitude",
    "longitude",
    "depth",
    "pressure",
)


def parse_time(text: str) -> datetime:
    """Parses the service's ISO 8601 UTC time (``2018-10-19T05:41:00.000Z``) to an aware datetime."""
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    # Python < 3.11 accepts only 3 or 6 fraction digits: pad or cut to 6 (microseconds).
    t = _FRACTION.sub(lambda m: "." + (m.group(1) + "00000")[:6], t)
    value = datetime.fromisoformat(t)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _maybe_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class Profile:
    """One Argo profile as returned by ``GET /v1/profiles`` (one NDJSON line).

    ``depth`` and/or ``pressure`` hold the level coordinate (both on native levels); every array
    in :attr:`variables` has the same length, ``None`` where there is no value, and a variable the
    float does not measure (old floats have no ``PSAL``) is ``None`` as a whole.

    ``profile["TEMP"]``, ``profile["depth"]`` and ``"PSAL" in profile`` work as expected.
    """

    id: str
    platform_number: str
    cycle_number: int
    direction: str
    data_mode: str
    time: datetime
    latitude: float
    longitude: float
    depth: Optional[Levels] = None
    pressure: Optional[Levels] = None
    #: Variable name (upper case, e.g. ``TEMP``) → values per level, or ``None``.
    variables: Dict[str, Optional[Levels]] = field(default_factory=dict)
    #: Any other member the service sent (forward compatibility).
    extra: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Profile":
        """Builds a profile from one decoded NDJSON line.

        Upper-case members that are arrays or ``null`` are variables (``TEMP``, ``PSAL``, ``PRES``
        and any the service adds later); other unknown members go to :attr:`extra`.
        """
        variables: Dict[str, Optional[Levels]] = {}
        extra: Dict[str, Any] = {}
        for key, value in obj.items():
            if key in _PROFILE_META:
                continue
            if key.isupper() and (value is None or isinstance(value, list)):
                variables[key] = value
            else:
                extra[key] = value
        return cls(
            id=str(obj["id"]),
            platform_number=str(obj["platform_number"]),
            cycle_number=int(obj["cycle_number"]),
            direction=str(obj.get("direction", "")),
            data_mode=str(obj.get("data_mode", "")),
            time=parse_time(str(obj["time"])),
            latitude=float(obj["latitude"]),
            longitude=float(obj["longitude"]),
            depth=obj.get("depth"),
            pressure=obj.get("pressure"),
            variables=variables,
            extra=extra,
        )

    @property
    def time_ms(self) -> int:
        """Profile time as integer milliseconds since 1970-01-01T00:00:00Z (exact)."""
        return (self.time - _EPOCH) // timedelta(milliseconds=1)

    @property
    def n_levels(self) -> int:
        """Number of levels (length of the level coordinate)."""
        levels = self.depth if self.depth is not None else self.pressure
        if levels is not None:
            return len(levels)
        return max((len(v) for v in self.variables.values() if v is not None), default=0)

    def __getitem__(self, name: str) -> Optional[Levels]:
        if name == "depth":
            return self.depth
        if name == "pressure":
            return self.pressure
        return self.variables[name]

    def __contains__(self, name: object) -> bool:
        if name == "depth":
            return self.depth is not None
        if name == "pressure":
            return self.pressure is not None
        return name in self.variables


@dataclass(frozen=True)
class MonthInfo:
    """A built month (``GET /v1/months`` item or ``GET /v1/months/{YYYY-MM}``).

    Typed fields for the documented members; everything the service sends (e.g. ``failures``,
    ``excluded``, ``source`` in a month's detail) is in :attr:`raw`, also as ``info["name"]``.
    """

    month: str
    profiles: Optional[int]
    start: Any
    end: Any
    built_at: Any
    failed: Optional[int]
    raw: Dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "MonthInfo":
        """Builds a summary from the service's JSON object; ISO times become aware datetimes."""
        def _int(v: Any) -> Optional[int]:
            return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

        failed = obj.get("failed")
        return cls(
            month=str(obj.get("month", "")),
            profiles=_int(obj.get("profiles")),
            start=_maybe_time(obj.get("start")),
            end=_maybe_time(obj.get("end")),
            built_at=_maybe_time(obj.get("built_at")),
            failed=len(failed) if isinstance(failed, list) else _int(failed),
            raw=dict(obj),
        )

    @property
    def failures(self) -> List[Dict[str, Any]]:
        """The files that failed at the last build (``GET /v1/months/{month}`` only; else ``[]``)."""
        failures = self.raw.get("failures")
        return list(failures) if isinstance(failures, list) else []

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]


@dataclass(frozen=True)
class BuildProgress:
    """``progress`` of a build: units done, total, and failed (files or months, as the server counts)."""

    done: int = 0
    total: int = 0
    failed: int = 0

    @classmethod
    def from_json(cls, obj: Any) -> "BuildProgress":
        if not isinstance(obj, Mapping):
            return cls()
        return cls(
            done=int(obj.get("done") or 0),
            total=int(obj.get("total") or 0),
            failed=int(obj.get("failed") or 0),
        )

    @property
    def fraction(self) -> Optional[float]:
        """``done / total`` in [0, 1], or ``None`` while the total is unknown."""
        return self.done / self.total if self.total else None


#: A progress callback for :meth:`Build.wait` / :meth:`Client.build`; called with each snapshot.
ProgressCallback = Callable[["Build"], None]
FINAL_STATUSES = ("succeeded", "failed")


@dataclass
class Build:
    """An index build started with :meth:`Client.build` (``/admin/builds``).

    The object is a snapshot: :meth:`refresh` fetches the current state into it, and :meth:`wait`
    polls until the build has finished.
    """

    id: str
    status: str
    months: List[str]
    progress: BuildProgress
    location: Optional[str] = None
    raw: Dict[str, Any] = field(repr=False, default_factory=dict)
    _client: Optional["Client"] = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(
        cls, obj: Mapping[str, Any], client: Optional["Client"] = None, location: Optional[str] = None
    ) -> "Build":
        months = obj.get("months")
        return cls(
            id=str(obj["id"]),
            status=str(obj.get("status", "")),
            months=[str(m) for m in months] if isinstance(months, list) else [],
            progress=BuildProgress.from_json(obj.get("progress")),
            location=location,
            raw=dict(obj),
            _client=client,
        )

    @property
    def finished(self) -> bool:
        """``True`` once the status is ``succeeded`` or ``failed``."""
        return self.status in FINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    def _require_client(self) -> "Client":
        if self._client is None:
            raise RuntimeError("this Build is not attached to a Client")
        return self._client

    def refresh(self) -> "Build":
        """Fetches ``GET /admin/builds/{id}`` and updates this object in place; returns it."""
        fresh = self._require_client().get_build(self.id)
        self.status = fresh.status
        self.months = fresh.months
        self.progress = fresh.progress
        self.raw = fresh.raw
        return self

    def wait(
        self,
        poll: float = 1.0,
        progress: Union[ProgressCallback, bool, None] = None,
        timeout: Optional[float] = None,
        check: bool = True,
    ) -> "Build":
        """Polls every ``poll`` seconds until the build finishes; returns this object.

        Args:
            poll: seconds between two status requests.
            progress: a callable called with this build after every poll, or ``True`` for a
                one-line progress display on stderr.
            timeout: give up after this many seconds with ``TimeoutError`` (the build goes on
                on the server; call :meth:`wait` again later). ``None`` waits as long as it takes.
            check: raise :class:`~argoprofiles.errors.ArgoBuildError` when the build failed.
        """
        return self._require_client()._wait_build(self, poll=poll, progress=progress, timeout=timeout, check=check)
