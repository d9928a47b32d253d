"""Encoding of Python values into the service's query parameters (API.md, ``GET /v1/profiles``).

The service is the authority on what is valid: these functions translate types (a ``datetime``
into ISO 8601, a ``range`` into ``start:stop:step``, a list of vertices into ``lon,lat,...``) and
reject, before any request, what cannot be right whatever the server's configuration: a value
whose *type* cannot be a parameter, a latitude beyond ±90, an open shape with two vertices, a
``dataset`` other than ``phy``/``bgc``, a BGC variable without ``dataset="bgc"``. Anything else
(a descending depth list) goes to the server, which answers 400 naming the parameter
(:class:`~argoprofiles.errors.ArgoQueryError`).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from numbers import Real
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

#: A time instant: ``datetime`` (naive = UTC), ``date``, ISO 8601 string, ``numpy.datetime64``.
TimeLike = Union[datetime, date, str, Any]
#: Target levels: ``"0,10,20"``, ``"0:100:10"`` (stop included), a sequence, a ``range``.
DepthLike = Union[str, Sequence[float], range, Iterable[float]]
#: ``(lon_min, lat_min, lon_max, lat_max)`` or ``"lon_min,lat_min,lon_max,lat_max"``.
BBoxLike = Union[str, Sequence[float]]
#: WMO platform number(s): ``"6903247"``, ``6903247``, ``["6903247", 5906072]``, ``"a,b"``.
PlatformLike = Union[str, int, Iterable[Union[str, int]]]
#: A month: ``"2023-04"``, a ``date``/``datetime`` in it, or ``(2023, 4)``.
MonthLike = Union[str, date, Tuple[int, int]]
#: A polygon: ``[(lon, lat), ...]`` (open or closed), a flat ``[lon, lat, lon, lat, ...]``, a
#: GeoJSON Polygon (or a Feature of one), a shapely Polygon, or the wire form ``"lon,lat,..."``.
PolygonLike = Union[str, Sequence[Sequence[float]], Sequence[float], Mapping[str, Any], Any]
#: A point: ``(lon, lat)`` or ``"lon,lat"``.
PointLike = Union[str, Sequence[float]]

#: ``dataset`` values (API.md v1.1): core ``R*``/``D*`` files, or synthetic ``S*`` files.
DATASETS = ("phy", "bgc")
#: The variables of the core dataset; any other parameter needs ``dataset="bgc"``.
CORE_VARIABLES = ("TEMP", "PSAL", "PRES")
#: ``fields`` values: ``positions`` = metadata and position only, no level data.
FIELDS = ("positions",)
#: ``format`` values and their media types. The client parses ``ndjson``; the others are bytes
#: (:meth:`~argoprofiles.Client.download`).
FORMATS: Dict[str, str] = {
    "ndjson": "application/x-ndjson",
    "json": "application/json",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.stream",
}

_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
#: Argo parameter names: upper case letters, digits and underscores (``BBP700``, ``PH_IN_SITU_TOTAL``).
_PARAMETER_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_WMO_RE = re.compile(r"^\d+$")


def format_instant(value: TimeLike) -> str:
    """Formats a time instant for ``start``/``end``.

    - ``str``: passed through unchanged (the server parses ISO 8601).
    - ``datetime``: naive values are taken as UTC, aware ones converted to UTC; written as
      ``YYYY-MM-DDTHH:MM:SS[.mmm]Z``. Profile times are whole milliseconds, so a sub-millisecond
      instant is rounded *up*: ``t >= start`` and ``t < end`` then select exactly the same
      profiles as with the exact instant.
    - ``date``: ``YYYY-MM-DD`` (midnight UTC).
    - ``numpy.datetime64``: as UTC, to the millisecond (rounded up likewise).
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty time string")
        return text
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        else:
            value = value.replace(tzinfo=None)
        extra_us = value.microsecond % 1000
        if extra_us or getattr(value, "nanosecond", 0):
            value = value + timedelta(microseconds=1000 - extra_us)
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        if value.microsecond:
            text += ".%03d" % (value.microsecond // 1000)
        return text + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if type(value).__name__ == "datetime64":  # numpy, without importing it
        import numpy as np

        as_ms = value.astype("datetime64[ms]")
        if as_ms < value:
            as_ms = as_ms + np.timedelta64(1, "ms")
        return str(as_ms) + "Z"
    raise TypeError(f"expected datetime, date, ISO 8601 str or numpy.datetime64, got {type(value).__name__}")


def _format_number(x: Any) -> str:
    """Shortest text for a level: ``10.0`` → ``10``, ``2.5`` → ``2.5``."""
    if isinstance(x, bool) or not isinstance(x, Real):
        # numpy scalars are Real; strings and None are not
        raise TypeError(f"depth levels must be numbers, got {x!r}")
    f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"depth levels must be finite, got {x!r}")
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def format_depth(value: DepthLike) -> str:
    """Formats target levels for ``depth``.

    - ``str``: passed through (``"0,10,20"`` or ``"0:100:10"``, whose stop is included).
    - ``range``: ``start:last:step`` (Python's exclusive stop becomes the included last value),
      so ``range(0, 2001, 10)`` is one short parameter rather than 201 numbers.
    - any other iterable of numbers (list, tuple, numpy array): a comma list.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty depth string")
        return text
    if isinstance(value, range):
        if len(value) == 0:
            raise ValueError(f"depth {value!r} is empty")
        if len(value) == 1:
            return str(value[0])
        return f"{value.start}:{value[-1]}:{value.step}"
    if isinstance(value, (bytes, dict)) or not isinstance(value, Iterable):
        raise TypeError(f"depth must be a str, a range or a sequence of numbers, got {type(value).__name__}")
    items = [_format_number(x) for x in value]
    if not items:
        raise ValueError("depth is empty; pass None for native levels")
    return ",".join(items)


def parse_levels(value: Optional[DepthLike]) -> Optional[List[float]]:
    """The target levels a ``depth`` argument stands for, or ``None`` (native, or unparseable).

    Used only to label an empty result's level axis; the server's levels win whenever profiles
    come back. ``"a:b:s"`` includes ``b`` as the API specifies.
    """
    if value is None:
        return None
    try:
        text = format_depth(value)
    except (TypeError, ValueError):
        return None
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
                return None
            start, stop, step = parts
            count = int(math.floor((stop - start) / step + 1e-9)) + 1
            if count > 1_000_000:
                return None
            return [round(start + i * step, 9) for i in range(count)]
        return [float(p) for p in text.split(",")]
    except ValueError:
        return None


def format_bbox(value: BBoxLike) -> str:
    """Formats ``(lon_min, lat_min, lon_max, lat_max)``; ``lon_min > lon_max`` crosses 180°."""
    if isinstance(value, str):
        return value.strip()
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"bbox must be a 4-tuple (lon_min, lat_min, lon_max, lat_max), got {value!r}") from None
    if len(items) != 4:
        raise ValueError(f"bbox must have 4 numbers (lon_min, lat_min, lon_max, lat_max), got {len(items)}")
    return ",".join(_format_number(x) for x in items)


def format_platform(value: PlatformLike) -> str:
    """Formats one WMO number or several as a comma list."""
    if isinstance(value, str):
        return ",".join(p.strip() for p in value.split(",") if p.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Iterable):
        items = [str(p).strip() for p in value]
        if not items:
            raise ValueError("platform list is empty; pass None for all platforms")
        return ",".join(items)
    raise TypeError(f"platform must be a str, an int or a list of them, got {type(value).__name__}")


def format_variables(value: Union[str, Iterable[str]], dataset: Optional[str] = None) -> str:
    """Formats variable names as an upper-case comma list (``["temp", "psal"]`` → ``TEMP,PSAL``).

    Names other than ``TEMP``, ``PSAL`` and ``PRES`` are BGC parameters (``DOXY``, ``CHLA``,
    ``BBP700``, ...) and need ``dataset="bgc"``: without it this raises ``ValueError`` saying so,
    as the service would. Whether a BGC parameter exists is left to the service.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(v).strip().upper() for v in items if str(v).strip()]
    if not names:
        raise ValueError("variables is empty")
    bad = [n for n in names if not _PARAMETER_RE.match(n)]
    if bad:
        raise ValueError(f"variables: {', '.join(map(repr, bad))} is not an Argo parameter name (letters, digits, _)")
    if dataset != "bgc":
        bgc = [n for n in names if n not in CORE_VARIABLES]
        if bgc:
            raise ValueError(
                f"variables: {', '.join(bgc)} {'is a BGC parameter' if len(bgc) == 1 else 'are BGC parameters'}; "
                f"add dataset='bgc' (the core dataset has {', '.join(CORE_VARIABLES)})"
            )
    return ",".join(names)


def format_dataset(value: str) -> str:
    """``"phy"`` (core files) or ``"bgc"`` (synthetic files); case-insensitive."""
    if not isinstance(value, str):
        raise TypeError(f"dataset must be 'phy' or 'bgc', got {value!r}")
    text = value.strip().lower()
    if text not in DATASETS:
        raise ValueError(f"dataset must be 'phy' or 'bgc', got {value!r}")
    return text


def format_fields(value: str) -> str:
    """``"positions"``: metadata and position only, no level data."""
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in FIELDS:
        raise ValueError(f"fields must be one of {', '.join(map(repr, FIELDS))}, got {value!r}")
    return text


def format_format(value: str) -> str:
    """One of :data:`FORMATS` (``ndjson``, ``json``, ``csv``, ``geojson``, ``parquet``, ``arrow``)."""
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {value!r}")
    return text


def _coordinate(x: Any, name: str, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{name}: {what} must be a number, got {x!r}")
    f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"{name}: {what} must be finite, got {x!r}")
    return f


def _lon_lat(point: Any, name: str) -> Tuple[float, float]:
    """Checks one ``(lon, lat)`` pair: numbers, longitude in [-180, 180], latitude in [-90, 90]."""
    if isinstance(point, (str, bytes)) or not isinstance(point, Iterable):
        raise TypeError(f"{name}: expected a (lon, lat) pair, got {point!r}")
    pair = list(point)
    if len(pair) != 2:
        raise ValueError(f"{name}: expected a (lon, lat) pair, got {len(pair)} numbers: {point!r}")
    lon = _coordinate(pair[0], name, "longitude")
    lat = _coordinate(pair[1], name, "latitude")
    if not -180 <= lon <= 180:
        raise ValueError(f"{name}: longitude {pair[0]!r} is outside [-180, 180] (the order is lon, lat)")
    if not -90 <= lat <= 90:
        raise ValueError(f"{name}: latitude {pair[1]!r} is outside [-90, 90] (the order is lon, lat)")
    return lon, lat


def format_polygon(value: PolygonLike) -> str:
    """Formats a polygon as ``lon,lat,lon,lat,...`` (open: the service closes it).

    Accepts ``[(lon, lat), ...]`` with at least three distinct vertices (a closing vertex equal to
    the first is dropped), a flat ``[lon, lat, lon, lat, ...]``, a GeoJSON ``Polygon`` geometry or
    a ``Feature`` of one, an object with ``.exterior.coords`` (shapely), or the wire string as is.
    Holes are refused (the service takes one ring). A polygon crossing the antimeridian is given
    with vertices on both sides of it (``170`` then ``-170``); the service handles the crossing.
    """
    name = "polygon"
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("polygon: empty string")
        return text
    ring: Any = value
    if isinstance(value, Mapping):
        geometry = value.get("geometry") if value.get("type") == "Feature" else value
        if not isinstance(geometry, Mapping) or geometry.get("type") != "Polygon":
            raise ValueError("polygon: a GeoJSON mapping must be a Polygon (or a Feature of one)")
        rings = geometry.get("coordinates") or []
        if len(rings) != 1:
            raise ValueError(f"polygon: expected one ring, got {len(rings)} (holes are not supported)")
        ring = rings[0]
    elif hasattr(value, "exterior") and hasattr(value, "interiors"):
        if len(list(value.interiors)):
            raise ValueError("polygon: holes are not supported")
        ring = [tuple(c)[:2] for c in value.exterior.coords]
    if isinstance(ring, (bytes, Mapping)) or not isinstance(ring, Iterable):
        raise TypeError(f"polygon: expected a list of (lon, lat) vertices, got {type(value).__name__}")
    items = list(ring)
    if items and all(isinstance(x, Real) and not isinstance(x, bool) for x in items):
        if len(items) % 2:
            raise ValueError(f"polygon: a flat list needs lon,lat pairs, got {len(items)} numbers")
        items = [items[i : i + 2] for i in range(0, len(items), 2)]
    points = [_lon_lat(p, name) for p in items]
    if len(points) > 3 and points[0] == points[-1]:
        points = points[:-1]
    if len(set(points)) < 3:
        raise ValueError(f"polygon: needs at least 3 distinct vertices, got {len(set(points))}")
    return ",".join(f"{_format_number(lon)},{_format_number(lat)}" for lon, lat in points)


def format_near(value: PointLike) -> str:
    """Formats the centre of a radius search, ``(lon, lat)``, as ``lon,lat``."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        try:
            value = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"near: expected 'lon,lat', got {value!r}") from None
    lon, lat = _lon_lat(value, "near")
    return f"{_format_number(lon)},{_format_number(lat)}"


def format_radius(value: float) -> str:
    """Formats ``radius_km``: a finite number > 0 (kilometres, great-circle)."""
    r = _coordinate(value, "radius_km", "the radius")
    if r <= 0:
        raise ValueError(f"radius_km must be > 0, got {value!r}")
    return _format_number(r)


def format_wmo(value: Union[str, int]) -> str:
    """One WMO platform number (digits only), for a path such as ``/v1/platforms/{wmo}``."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is None or not _WMO_RE.match(text):
        raise ValueError(f"a WMO platform number is digits only, e.g. '6903247', got {value!r}")
    return text


def profile_query(
    start: Optional[TimeLike] = None,
    end: Optional[TimeLike] = None,
    depth: Optional[DepthLike] = None,
    variables: Union[str, Iterable[str], None] = None,
    mode: Optional[str] = None,
    vertical: Optional[str] = None,
    bbox: Optional[BBoxLike] = None,
    platform: Optional[PlatformLike] = None,
    max_profiles: Optional[int] = None,
    dataset: Optional[str] = None,
    fields: Optional[str] = None,
    polygon: Optional[PolygonLike] = None,
    near: Optional[PointLike] = None,
    radius_km: Optional[float] = None,
    cursor: Optional[str] = None,
    extra_params: Optional[Mapping[str, Any]] = None,
) -> Dict[str, str]:
    """The query string of ``/v1/profiles`` (and ``/v1/platforms/{wmo}/profiles``) as a dict.

    Arguments left as ``None`` are not sent, so the server's defaults apply. Raises
    ``TypeError``/``ValueError`` naming the argument before any request is made.
    """
    params: Dict[str, str] = {}
    if start is not None:
        params["start"] = format_instant(start)
    if end is not None:
        params["end"] = format_instant(end)
    if dataset is not None:
        params["dataset"] = format_dataset(dataset)
    if depth is not None:
        params["depth"] = format_depth(depth)
    if vertical is not None:
        params["vertical"] = str(vertical)
    if variables is not None:
        params["variables"] = format_variables(variables, dataset=params.get("dataset"))
    if mode is not None:
        params["mode"] = str(mode)
    if fields is not None:
        params["fields"] = format_fields(fields)
    if bbox is not None:
        params["bbox"] = format_bbox(bbox)
    if polygon is not None:
        params["polygon"] = format_polygon(polygon)
    if (near is None) != (radius_km is None):
        raise ValueError("near=(lon, lat) and radius_km go together: give both or neither")
    if near is not None and radius_km is not None:
        params["near"] = format_near(near)
        params["radius_km"] = format_radius(radius_km)
    if platform is not None:
        params["platform"] = format_platform(platform)
    if max_profiles is not None:
        if isinstance(max_profiles, bool) or int(max_profiles) != max_profiles:
            raise TypeError(f"max_profiles must be an int, got {max_profiles!r}")
        params["max_profiles"] = str(int(max_profiles))
    if cursor is not None:
        if not isinstance(cursor, str) or not cursor.strip():
            raise ValueError(f"cursor must be a non-empty str (a result's next_cursor), got {cursor!r}")
        params["cursor"] = cursor.strip()
    if extra_params:
        params.update({str(k): str(v) for k, v in extra_params.items()})
    return params


def format_month(value: MonthLike) -> str:
    """Formats a month as ``YYYY-MM``; strings must already have that form."""
    if isinstance(value, str):
        text = value.strip()
        if not _MONTH_RE.match(text):
            raise ValueError(f"month must look like 'YYYY-MM', got {value!r}")
        return text
    if isinstance(value, date):  # datetime too
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, tuple) and len(value) == 2:
        year, month = value
        if not 1 <= int(month) <= 12:
            raise ValueError(f"month out of range: {value!r}")
        return f"{int(year):04d}-{int(month):02d}"
    raise TypeError(f"expected 'YYYY-MM', a date or (year, month), got {value!r}")
