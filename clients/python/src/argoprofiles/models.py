"""Plain data returned by the client: profiles, month and platform summaries, builds, downloads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

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
class Profile(Mapping[str, Any]):
    """One Argo profile as returned by ``GET /v1/profiles`` (one NDJSON line).

    ``depth`` and/or ``pressure`` hold the level coordinate (both on native levels); every array
    in :attr:`variables` has the same length, ``None`` where there is no value, and a variable the
    float does not measure (old floats have no ``PSAL``) is ``None`` as a whole.

    A profile is also a read-only mapping of the line's members: ``profile[name]`` works for
    every member the line had (``"id"``, ``"time"``, ``"TEMP"``, ``"parameter_data_mode"``, ...)
    and raises ``KeyError`` for any other; ``"PSAL" in profile``, ``profile.get(...)``,
    ``profile.keys()`` and ``dict(profile)`` follow. Documented members come typed, as the
    attributes (``profile["time"]`` is the same aware datetime as ``profile.time``).
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
    #: The names of the line's members, in the line's order (the mapping's keys). Derived from
    #: the fields when a profile is built by hand.
    members: Tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.members:
            names = [n for n in _PROFILE_META if n not in ("depth", "pressure") or getattr(self, n) is not None]
            object.__setattr__(self, "members", tuple(names) + tuple(self.variables) + tuple(self.extra))

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Profile":
        """Builds a profile from one decoded NDJSON line.

        Upper-case members that are arrays or ``null`` are variables (``TEMP``, ``PSAL``, ``PRES``,
        ``DOXY``, ``BBP700``, ...); other unknown members go to :attr:`extra`. ``id``,
        ``platform_number``, ``cycle_number``, ``time``, ``latitude`` and ``longitude`` are
        required; ``direction`` and ``data_mode`` may be absent or ``null`` (synthetic BGC files
        have no profile-level data mode), and are then ``""``.
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
            direction=_text(obj.get("direction")),
            data_mode=_text(obj.get("data_mode")),
            time=parse_time(str(obj["time"])),
            latitude=float(obj["latitude"]),
            longitude=float(obj["longitude"]),
            depth=obj.get("depth"),
            pressure=obj.get("pressure"),
            variables=variables,
            extra=extra,
            members=_intern_members(tuple(obj.keys())),
        )

    @property
    def time_ms(self) -> int:
        """Profile time as integer milliseconds since 1970-01-01T00:00:00Z (exact)."""
        return (self.time - _EPOCH) // timedelta(milliseconds=1)

    @property
    def n_levels(self) -> int:
        """Number of levels (length of the level coordinate); 0 for a ``fields=positions`` line."""
        levels = self.depth if self.depth is not None else self.pressure
        if levels is not None:
            return len(levels)
        return max((len(v) for v in self.variables.values() if v is not None), default=0)

    @property
    def parameter_data_mode(self) -> Dict[str, str]:
        """BGC: each parameter's own data mode (``{"DOXY": "A", "PRES": "D"}``), when the line has
        a ``parameter_data_mode`` object; ``{}`` otherwise (core profiles: see :attr:`data_mode`)."""
        value = self.extra.get("parameter_data_mode")
        if not isinstance(value, Mapping):
            return {}
        return {str(k).upper(): str(v) for k, v in value.items() if isinstance(v, str) and v}

    # -- the mapping of the line's members ---------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        if name not in self.members:
            raise KeyError(name)
        if name in _PROFILE_META:
            return getattr(self, name)
        if name in self.variables:
            return self.variables[name]
        return self.extra[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, name: object) -> bool:
        return name in self.members


def _text(value: Any) -> str:
    return "" if value is None else str(value)


_MEMBER_TUPLES: Dict[Tuple[str, ...], Tuple[str, ...]] = {}


def _intern_members(keys: Tuple[str, ...]) -> Tuple[str, ...]:
    """One shared tuple per distinct key order: every line of a result has the same members."""
    if len(_MEMBER_TUPLES) > 1024:  # bounded: a stream of ever-new shapes must not grow this
        _MEMBER_TUPLES.clear()
    return _MEMBER_TUPLES.setdefault(keys, keys)


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
#: Statuses after which a build does not change. Both spellings of "cancelled" are accepted.
CANCELLED_STATUSES = ("cancelled", "canceled")
FINAL_STATUSES = ("succeeded", "failed") + CANCELLED_STATUSES


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

    @property
    def cancelled(self) -> bool:
        return self.status in CANCELLED_STATUSES

    def _require_client(self) -> "Client":
        if self._client is None:
            raise RuntimeError("this Build is not attached to a Client")
        return self._client

    def refresh(self) -> "Build":
        """Fetches ``GET /admin/builds/{id}`` and updates this object in place; returns it."""
        return self._update(self._require_client().get_build(self.id))

    def cancel(self) -> "Build":
        """Cancels the build (``DELETE /admin/builds/{id}``) and updates this object; returns it.

        The service stops the build and keeps every month that existed before it.
        """
        fresh = self._require_client().cancel_build(self.id)
        return self._update(fresh) if fresh is not None else self

    def _update(self, fresh: "Build") -> "Build":
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
            check: raise :class:`~argoprofiles.errors.ArgoBuildError` when the build failed or
                was cancelled.
        """
        return self._require_client()._wait_build(self, poll=poll, progress=progress, timeout=timeout, check=check)


def _time_or_none(value: Any) -> Any:
    return _maybe_time(value) if value is not None else None


def _position(obj: Mapping[str, Any]) -> Tuple[Optional[float], Optional[float]]:
    """``(latitude, longitude)`` of the last position: ``last_position`` as an object
    ``{"latitude", "longitude"}`` or a GeoJSON-ordered ``[lon, lat]``, or top-level
    ``last_latitude``/``last_longitude``."""
    pos = obj.get("last_position")
    lat: Any = None
    lon: Any = None
    if isinstance(pos, Mapping):
        lat, lon = pos.get("latitude", pos.get("lat")), pos.get("longitude", pos.get("lon"))
    elif isinstance(pos, list) and len(pos) >= 2:
        lon, lat = pos[0], pos[1]
    else:
        lat, lon = obj.get("last_latitude"), obj.get("last_longitude")

    def num(v: Any) -> Optional[float]:
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    return num(lat), num(lon)


@dataclass(frozen=True)
class PlatformInfo:
    """A float's summary (``GET /v1/platforms/{wmo}``).

    Typed fields for the members the client knows; everything the service sends is in
    :attr:`raw`, also as ``info["name"]``.
    """

    platform_number: str
    #: The data assembly centre (``coriolis``, ``aoml``, ...).
    dac: Optional[str]
    #: Number of cycles (profiles) in the indexes.
    cycles: Optional[int]
    first_time: Any
    last_time: Any
    last_latitude: Optional[float]
    last_longitude: Optional[float]
    #: The built months that hold a profile of this float.
    months: List[str]
    #: The parameters the float has (BGC floats list ``DOXY``, ``CHLA``, ...).
    parameters: List[str]
    raw: Dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], wmo: str = "") -> "PlatformInfo":
        cycles = obj.get("cycles")
        months = obj.get("months")
        parameters = obj.get("parameters")
        lat, lon = _position(obj)
        return cls(
            platform_number=str(obj.get("platform_number", obj.get("wmo", wmo))),
            dac=str(obj["dac"]) if obj.get("dac") is not None else None,
            cycles=len(cycles) if isinstance(cycles, list) else (
                int(cycles) if isinstance(cycles, (int, float)) and not isinstance(cycles, bool) else None
            ),
            first_time=_time_or_none(obj.get("first_time")),
            last_time=_time_or_none(obj.get("last_time")),
            last_latitude=lat,
            last_longitude=lon,
            months=[str(m.get("month")) if isinstance(m, Mapping) else str(m) for m in months]
            if isinstance(months, list) else [],
            parameters=[str(p) for p in parameters] if isinstance(parameters, list) else (
                [str(p) for p in parameters] if isinstance(parameters, Mapping) else []
            ),
            raw=dict(obj),
        )

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]


@dataclass(frozen=True)
class QueryCounts:
    """What a query would return, from its headers alone (``HEAD /v1/profiles``)."""

    url: str
    #: Profiles matching before the ``max_profiles`` cap (``X-Argo-Profiles-Matched``).
    matched: Optional[int]
    #: ``True`` when the cap would cut the result (``X-Argo-Truncated``).
    truncated: bool
    #: Months of the window with no built index (``X-Argo-Months-Missing``).
    months_missing: List[str]
    #: The next page's URL (``Link: <...>; rel="next"``), when the result is cut.
    next: Optional[str] = None


@dataclass(frozen=True)
class Download:
    """A body in one of the service's formats, as bytes or written to a file (:meth:`Client.download`)."""

    url: str
    format: str
    #: The response's ``Content-Type``.
    media_type: str
    #: The body, or ``None`` when it was written to ``to``.
    content: Optional[bytes]
    #: Bytes of the (decompressed) body.
    size: int
    matched: Optional[int]
    truncated: bool
    months_missing: List[str]
    #: The next page's URL when the result is cut; ``download(..., cursor=...)`` continues.
    next: Optional[str] = None
