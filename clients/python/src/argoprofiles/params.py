"""Encoding of Python values into the service's query parameters (API.md, ``GET /v1/profiles``).

The service is the authority on what is valid: these functions only translate types (a
``datetime`` into ISO 8601, a ``range`` into ``start:stop:step``) and reject values whose *type*
cannot be a parameter. A well-typed but wrong value (a descending depth list) goes to the server,
which answers 400 naming the parameter (:class:`~argoprofiles.errors.ArgoQueryError`).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from numbers import Real
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

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

_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


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


def format_variables(value: Union[str, Iterable[str]]) -> str:
    """Formats variable names as an upper-case comma list (``["temp", "psal"]`` → ``TEMP,PSAL``)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(v).strip().upper() for v in items if str(v).strip()]
    if not names:
        raise ValueError("variables is empty")
    return ",".join(names)


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
