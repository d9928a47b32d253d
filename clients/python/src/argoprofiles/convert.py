"""Conversions of profiles to pandas (long format) and xarray (``profile`` × ``level``).

Both read the profiles once, keeping one float64 array per profile and variable, then assemble
the table or the padded 2-D arrays. They accept any iterable of
:class:`~argoprofiles.models.Profile` (a :class:`~argoprofiles.stream.ProfileStream`, or a list
you kept), so results of several queries can be converted together.

The attributes follow CF conventions (``featureType = "profile"``, the incomplete/orthogonal
multidimensional representations of CF §H.3), with Argo's own unit spellings, so
``Dataset.to_netcdf()`` writes a file that CF tools and argopy users recognise.

Units and long names: the service's own metadata when it sends some (``X-Argo-Units`` or a
``{"metadata": ...}`` line, see :class:`~argoprofiles.stream.ProfileStream`), else the built-in
tables below, which hold the Argo reference table's units for the core and common BGC parameters.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from . import __version__
from .models import Profile

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import xarray
    from numpy.typing import NDArray

#: Level coordinates, in column order.
LEVEL_COORDS = ("depth", "pressure")
#: Per-profile metadata columns, in column order.
PROFILE_COLUMNS = ("id", "platform_number", "cycle_number", "direction", "data_mode", "time", "latitude", "longitude")
#: The service's default ``variables``.
DEFAULT_VARIABLES = ("TEMP", "PSAL")

#: CF attributes of each variable and coordinate. Units are Argo's spellings (``psu``,
#: ``degree_Celsius``, ``dbar``), which the Argo user manual and argopy use.
CF_ATTRS: Dict[str, Dict[str, str]] = {
    "TEMP": {
        "standard_name": "sea_water_temperature",
        "long_name": "Sea temperature in-situ ITS-90 scale",
        "units": "degree_Celsius",
    },
    "PSAL": {
        "standard_name": "sea_water_practical_salinity",
        "long_name": "Practical salinity",
        "units": "psu",
    },
    "PRES": {
        "standard_name": "sea_water_pressure",
        "long_name": "Sea water pressure, equals 0 at sea-level",
        "units": "dbar",
    },
    "depth": {
        "standard_name": "depth",
        "long_name": "Depth",
        "comment": "Below the sea surface, from pressure and latitude: -gsw_z_from_p (TEOS-10)",
        "units": "m",
        "positive": "down",
        "axis": "Z",
    },
    "pressure": {
        "standard_name": "sea_water_pressure",
        "long_name": "Sea water pressure, equals 0 at sea-level",
        "units": "dbar",
        "positive": "down",
        "axis": "Z",
    },
    "time": {
        "standard_name": "time",
        "long_name": "Julian day (UTC) of the station relative to REFERENCE_DATE_TIME (JULD)",
        "axis": "T",
    },
    "latitude": {
        "standard_name": "latitude",
        "long_name": "Latitude of the station, best estimate",
        "units": "degrees_north",
        "axis": "Y",
    },
    "longitude": {
        "standard_name": "longitude",
        "long_name": "Longitude of the station, best estimate",
        "units": "degrees_east",
        "axis": "X",
    },
    "id": {"long_name": "Profile file path under the GDAC dac/ directory", "cf_role": "profile_id"},
    "platform_number": {"long_name": "Float unique identifier (WMO number)"},
    "cycle_number": {"long_name": "Float cycle number"},
    "direction": {"long_name": "Direction of the station profile", "comment": "A: ascending, D: descending"},
    "data_mode": {
        "long_name": "Delayed mode or real time data",
        "comment": "R: real time; D: delayed mode; A: real time with adjustment",
    },
}

#: Attributes of BGC parameters, with the units of the Argo parameter reference table (the
#: synthetic files' own ``units`` attributes). The service's metadata, when sent, wins.
BGC_ATTRS: Dict[str, Dict[str, str]] = {
    "DOXY": {
        "standard_name": "moles_of_oxygen_per_unit_mass_in_sea_water",
        "long_name": "Dissolved oxygen",
        "units": "micromole/kg",
    },
    "CHLA": {
        "standard_name": "mass_concentration_of_chlorophyll_a_in_sea_water",
        "long_name": "Chlorophyll-A",
        "units": "mg/m3",
    },
    "NITRATE": {
        "standard_name": "moles_of_nitrate_per_unit_mass_in_sea_water",
        "long_name": "Nitrate",
        "units": "micromole/kg",
    },
    "PH_IN_SITU_TOTAL": {
        "standard_name": "sea_water_ph_reported_on_total_scale",
        "long_name": "pH",
        "units": "dimensionless",
    },
    "DOWNWELLING_PAR": {
        "standard_name": "downwelling_photosynthetic_photon_flux_in_sea_water",
        "long_name": "Downwelling photosynthetic available radiation",
        "units": "microMoleQuanta/m^2/sec",
    },
    "CDOM": {"long_name": "Concentration of coloured dissolved organic matter in sea water", "units": "ppb"},
    "TURBIDITY": {"standard_name": "sea_water_turbidity", "long_name": "Sea water turbidity", "units": "ntu"},
    "BISULFIDE": {"long_name": "Bisulfide", "units": "micromole/kg"},
}
#: Families of BGC parameters named after a wavelength in nm (``BBP700``, ``DOWN_IRRADIANCE490``).
BGC_FAMILIES: List[Tuple["re.Pattern[str]", Callable[[str], Dict[str, str]]]] = [
    (re.compile(r"^BBP(\d+)$"), lambda nm: {"long_name": f"Particle backscattering at {nm} nanometers", "units": "m-1"}),
    (re.compile(r"^CP(\d+)$"), lambda nm: {"long_name": f"Particle beam attenuation at {nm} nanometers", "units": "m-1"}),
    (
        re.compile(r"^DOWN_IRRADIANCE(\d+)$"),
        lambda nm: {"long_name": f"Downwelling irradiance at {nm} nanometers", "units": "W/m^2/nm"},
    ),
    (
        re.compile(r"^UP_RADIANCE(\d+)$"),
        lambda nm: {"long_name": f"Upwelling radiance at {nm} nanometers", "units": "W/m^2/nm/sr"},
    ),
]


def variable_attrs(name: str, server: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Dict[str, Any]:
    """The attributes of variable or coordinate ``name``: the built-in ones (CF and Argo tables,
    ``{"long_name": name}`` for an unknown parameter), overridden by the service's ``server[name]``."""
    attrs: Dict[str, Any] = dict(CF_ATTRS.get(name) or BGC_ATTRS.get(name) or {})
    if not attrs:
        for pattern, make in BGC_FAMILIES:
            match = pattern.match(name)
            if match:
                attrs = make(match.group(1))
                break
    if server and isinstance(server.get(name), Mapping):
        attrs.update(server[name])
    attrs.setdefault("long_name", name)
    return attrs


def data_mode_name(parameter: str) -> str:
    """The column/coordinate of a BGC parameter's own data mode: ``DOXY`` → ``DOXY_DATA_MODE``."""
    return f"{parameter}_DATA_MODE"


#: CF encoding used by ``to_netcdf`` for ``time``: Argo's JULD reference date, but whole
#: milliseconds in int64 rather than JULD's float days, so times round-trip exactly.
TIME_ENCODING = {"units": "milliseconds since 1950-01-01 00:00:00", "calendar": "standard", "dtype": "int64"}
ARGO_CITATION = (
    "Argo (2000). Argo float data and metadata from Global Data Assembly Centre (Argo GDAC). "
    "SEANOE. https://doi.org/10.17882/42182"
)


def _require(modules: Sequence[str], extra: str) -> None:
    """Fails with an install hint when an optional dependency is missing."""
    for module in modules:
        try:
            __import__(module)
        except ImportError as exc:
            raise ImportError(
                f"this conversion needs {module}: pip install 'argoprofiles[{extra}]'"
            ) from exc


class _Collected:
    """Profiles read into per-profile numpy arrays (the common first step of both conversions)."""

    def __init__(self, coords: Sequence[str], variables: Sequence[str]) -> None:
        self.ids: List[str] = []
        self.platforms: List[str] = []
        self.cycles: List[int] = []
        self.directions: List[str] = []
        self.data_modes: List[str] = []
        self.time_ms: List[int] = []
        self.latitudes: List[float] = []
        self.longitudes: List[float] = []
        self.counts: List[int] = []
        # name → one array (or None: absent for that profile) per profile read so far
        self.coords: Dict[str, List[Optional[NDArray[Any]]]] = {c: [] for c in coords}
        self.variables: Dict[str, List[Optional[NDArray[Any]]]] = {v: [] for v in variables}
        # BGC parameter → its data mode in each profile ("" where the profile has none)
        self.parameter_modes: Dict[str, List[str]] = {}

    def add(self, p: Profile) -> None:
        import numpy as np

        n = p.n_levels
        arrays = {name: getattr(p, name) for name in LEVEL_COORDS}
        arrays.update(p.variables)
        for name, values in arrays.items():
            table = self.coords if name in LEVEL_COORDS else self.variables
            if values is None and name not in table:
                continue
            if name not in table:  # first seen now: absent for the profiles before
                table[name] = [None] * len(self.counts)
            if values is None:
                table[name].append(None)
                continue
            arr = np.asarray(values, dtype=np.float64)  # None → NaN
            if arr.shape != (n,):
                raise ValueError(f"profile {p.id}: {name} has {arr.size} values for {n} levels")
            table[name].append(arr)
        for table in (self.coords, self.variables):
            for column in table.values():
                if len(column) == len(self.counts):  # not in this profile at all
                    column.append(None)
        for parameter, mode in p.parameter_data_mode.items():
            self.parameter_modes.setdefault(parameter, [""] * len(self.counts)).append(mode)
        for modes in self.parameter_modes.values():
            if len(modes) == len(self.counts):
                modes.append("")
        self.ids.append(p.id)
        self.platforms.append(p.platform_number)
        self.cycles.append(p.cycle_number)
        self.directions.append(p.direction)
        self.data_modes.append(p.data_mode)
        self.time_ms.append(p.time_ms)
        self.latitudes.append(p.latitude)
        self.longitudes.append(p.longitude)
        self.counts.append(n)

    @property
    def has_levels(self) -> bool:
        """``False`` when no profile carried a level or variable member (``fields=positions``)."""
        return any(a is not None for table in (self.coords, self.variables) for arrays in table.values() for a in arrays)

    def column(self, arrays: List[Optional[NDArray[Any]]]) -> NDArray[Any]:
        """The long-format column: the arrays end to end, NaN for absent ones."""
        import numpy as np

        parts = [a if a is not None else np.full(n, np.nan) for a, n in zip(arrays, self.counts)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)

    def padded(self, arrays: List[Optional[NDArray[Any]]], width: int) -> NDArray[Any]:
        """The ``profile`` × ``level`` array, NaN-padded to ``width`` levels."""
        import numpy as np

        out = np.full((len(arrays), width), np.nan)
        for i, a in enumerate(arrays):
            if a is not None:
                out[i, : a.size] = a
        return out


def _query_variables(metadata: Mapping[str, Any]) -> List[str]:
    text = (metadata.get("query") or {}).get("variables")
    return [v for v in text.split(",") if v] if text else list(DEFAULT_VARIABLES)


def _coords_for(vertical: str, native: bool) -> List[str]:
    return list(LEVEL_COORDS) if native else [vertical]


def _collect(
    profiles: Iterable[Profile], vertical: str, native: bool, metadata: Mapping[str, Any], positions: Optional[bool]
) -> Tuple[_Collected, bool]:
    """Reads the profiles; returns them collected and whether they are positions only.

    ``positions=None`` decides from the profiles: positions only when none carried a level or
    variable member (an empty result then counts as levels, as before).
    """
    if positions:
        collected = _Collected([], [])
    else:
        collected = _Collected(_coords_for(vertical, native), _query_variables(metadata))
    for p in profiles:
        collected.add(p)
    if positions is None:
        positions = bool(collected.counts) and not collected.has_levels
    return collected, bool(positions)


def to_dataframe(
    profiles: Iterable[Profile],
    vertical: str = "depth",
    native: bool = False,
    metadata: Optional[Mapping[str, Any]] = None,
    positions: Optional[bool] = None,
) -> "pandas.DataFrame":
    """Profiles as a long-format :class:`pandas.DataFrame`: one row per profile and level.

    Columns: ``id``, ``platform_number``, ``cycle_number``, ``direction``, ``data_mode``,
    ``time`` (``datetime64[ns, UTC]``), ``latitude``, ``longitude``, the level coordinate
    (``depth`` or ``pressure``; both on native levels), then the variables (``TEMP``, ``PSAL``,
    ``DOXY``, ...; NaN where there is no value), then, for BGC profiles that carry per-parameter
    data modes, one ``<PARAMETER>_DATA_MODE`` column each. A profile with no level (native
    levels, none usable) has no row. ``df.attrs`` holds the query, the result headers and each
    column's units (``df.attrs["units"]``).

    Positions only (``fields="positions"``): one row per profile, the metadata columns only.

    Args:
        profiles: the profiles (a :class:`~argoprofiles.stream.ProfileStream` or a list).
        vertical: the query's vertical coordinate (``depth`` or ``pressure``).
        native: ``True`` when the profiles are on native levels (both coordinates present).
        metadata: ``{"query": {...}, "matched": ..., "variables": {...}}`` copied into
            ``df.attrs``; ``variables`` holds the service's per-variable attributes.
        positions: ``True`` for positions-only profiles; ``None`` decides from the profiles.
    """
    _require(("numpy", "pandas"), "pandas")
    import numpy as np
    import pandas as pd

    metadata = dict(metadata or {})
    c, positions = _collect(profiles, vertical, native, metadata, positions)
    counts = np.ones(len(c.counts), dtype=np.int64) if positions else np.asarray(c.counts, dtype=np.int64)

    def per_level(values: Sequence[Any], dtype: Any) -> NDArray[Any]:
        return np.repeat(np.asarray(values, dtype=dtype), counts)

    data: Dict[str, Any] = {
        "id": per_level(c.ids, object),
        "platform_number": per_level(c.platforms, object),
        "cycle_number": per_level(c.cycles, np.int64),
        "direction": per_level(c.directions, object),
        "data_mode": per_level(c.data_modes, object),
        "time": pd.to_datetime(per_level(c.time_ms, np.int64), unit="ms", utc=True),
        "latitude": per_level(c.latitudes, np.float64),
        "longitude": per_level(c.longitudes, np.float64),
    }
    if not positions:
        for name, arrays in list(c.coords.items()) + list(c.variables.items()):
            data[name] = c.column(arrays)
    for parameter, modes in c.parameter_modes.items():
        data[data_mode_name(parameter)] = per_level(modes, object)
    df = pd.DataFrame(data)
    df.attrs.update(metadata)
    server = metadata.get("variables") or {}
    units = {k: variable_attrs(k, server).get("units") for k in df.columns}
    df.attrs["units"] = {k: v for k, v in units.items() if v}
    return df


def to_xarray(
    profiles: Iterable[Profile],
    vertical: str = "depth",
    native: bool = False,
    levels: Optional[Sequence[float]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    positions: Optional[bool] = None,
) -> "xarray.Dataset":
    """Profiles as an :class:`xarray.Dataset` with dimensions ``profile`` × ``level``.

    - Data variables (``TEMP``, ``PSAL``, ``PRES``, BGC parameters such as ``DOXY``): 2-D, NaN
      where there is no value and, on native levels, NaN-padded after each profile's last level.
    - Coordinates along ``profile``: ``time`` (UTC), ``latitude``, ``longitude``, ``id``,
      ``platform_number``, ``cycle_number``, ``direction``, ``data_mode`` and, for BGC profiles
      that carry them, each parameter's own data mode ``<PARAMETER>_DATA_MODE``.
    - The level coordinate: on target levels, 1-D ``depth(level)`` (or ``pressure(level)``),
      indexed so ``ds.sel(depth=100)`` works (xarray ≥ 2022.10); on native levels 2-D
      ``depth(profile, level)`` and ``pressure(profile, level)``.
    - Attributes on every variable: ``units`` and ``long_name`` (the service's metadata when it
      sent some, else the built-in Argo table), ``standard_name`` where CF has one,
      ``positive``/``axis`` on coordinates; global ``featureType = "profile"``, the query and the
      result headers.
    - Positions only (``fields="positions"``): the ``profile`` dimension and its coordinates.

    Plot a section with ``ds.TEMP.plot(x="time", y="depth", yincrease=False)``; write it with
    ``ds.to_netcdf("file.nc")`` (time is encoded as milliseconds since Argo's 1950-01-01).
    On native levels the depth coordinate is 2-D and NaN-padded, which ``pcolormesh`` refuses:
    plot those with ``ds.plot.scatter(x="time", y="depth", hue="TEMP", yincrease=False)``.

    Args:
        profiles: the profiles (a :class:`~argoprofiles.stream.ProfileStream` or a list).
        vertical: the query's vertical coordinate (``depth`` or ``pressure``).
        native: ``True`` for native levels.
        levels: the requested target levels, used to label the level axis of an empty result.
        metadata: ``{"query": {...}, "matched": ..., "variables": {...}}``: recorded as global
            attributes; ``variables`` holds the service's per-variable attributes.
        positions: ``True`` for positions-only profiles; ``None`` decides from the profiles.
    """
    _require(("numpy", "xarray"), "xarray")
    import numpy as np
    import xarray as xr

    metadata = dict(metadata or {})
    c, positions = _collect(profiles, vertical, native, metadata, positions)
    n_prof = len(c.counts)
    server = metadata.get("variables") or {}

    def attrs(name: str) -> Dict[str, Any]:
        return variable_attrs(name, server)

    coords: Dict[str, Any] = {
        "time": (
            "profile",
            np.asarray(c.time_ms, dtype=np.int64).astype("datetime64[ms]").astype("datetime64[ns]"),
            attrs("time"),
        ),
        "latitude": ("profile", np.asarray(c.latitudes, dtype=np.float64), attrs("latitude")),
        "longitude": ("profile", np.asarray(c.longitudes, dtype=np.float64), attrs("longitude")),
        "id": ("profile", np.asarray(c.ids, dtype=str), attrs("id")),
        "platform_number": ("profile", np.asarray(c.platforms, dtype=str), attrs("platform_number")),
        "cycle_number": ("profile", np.asarray(c.cycles, dtype=np.int64), attrs("cycle_number")),
        "direction": ("profile", np.asarray(c.directions, dtype=str), attrs("direction")),
        "data_mode": ("profile", np.asarray(c.data_modes, dtype=str), attrs("data_mode")),
    }
    for parameter, modes in c.parameter_modes.items():
        coords[data_mode_name(parameter)] = (
            "profile",
            np.asarray(modes, dtype=str),
            {
                "long_name": f"Delayed mode or real time data of {parameter}",
                "comment": "R: real time; A: real time with adjustment; D: delayed mode; empty: not in the profile",
            },
        )
    global_attrs = _global_attrs(metadata, vertical, native, positions)
    if positions:
        ds = xr.Dataset(coords=coords, attrs=global_attrs)
        ds["time"].encoding.update(TIME_ENCODING)
        return ds

    # A shared 1-D level axis when every profile has the same target levels.
    shared: Optional[NDArray[Any]] = None
    if not native:
        arrays = c.coords.get(vertical, [])
        if n_prof == 0:
            shared = np.asarray(levels if levels is not None else [], dtype=np.float64)
        else:
            present = [a for a in arrays if a is not None]
            if len(present) == n_prof and all(
                a.shape == present[0].shape and np.array_equal(a, present[0]) for a in present[1:]
            ):
                shared = present[0]
    width = shared.size if shared is not None else max(c.counts, default=0)

    for name, arrays in c.coords.items():
        if shared is not None and name == vertical:
            coords[name] = ("level", shared.copy(), attrs(name))
        else:
            coords[name] = (("profile", "level"), c.padded(arrays, width), attrs(name))
    data_vars = {
        name: (("profile", "level"), c.padded(arrays, width), attrs(name)) for name, arrays in c.variables.items()
    }
    ds = xr.Dataset(data_vars=data_vars, coords=coords, attrs=global_attrs)
    ds["time"].encoding.update(TIME_ENCODING)
    if shared is not None and hasattr(ds, "set_xindex"):
        ds = ds.set_xindex(vertical)
    return ds


def _global_attrs(metadata: Mapping[str, Any], vertical: str, native: bool, positions: bool = False) -> Dict[str, Any]:
    """Global attributes: CF/ACDD basics, the query and the result headers (netCDF-safe types)."""
    query = dict(metadata.get("query") or {})
    bgc = query.get("dataset") == "bgc"
    attrs: Dict[str, Any] = {
        "Conventions": "CF-1.10",
        "featureType": "profile",
        "title": "Argo float profiles" + (" (BGC)" if bgc else ""),
        "source": (
            "Argo float profiles (synthetic BGC files)" if bgc else "Argo float profiles (core files)"
        ) + " from the Argo GDAC, via the argo-profiles service",
        "references": "http://www.argodatamgt.org/Documentation",
        "citation": ARGO_CITATION,
        "history": (
            f"{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')} created by "
            f"argoprofiles {__version__}" + (f" from {metadata['url']}" if metadata.get("url") else "")
        ),
        "dataset": "bgc" if bgc else "phy",
        "vertical_coordinate": vertical,
        "levels": "none (positions only)" if positions else ("native" if native else "target"),
        "qc_mode": query.get("mode", "standard"),
    }
    for key, value in query.items():
        if key != "format":
            attrs[f"query_{key}"] = str(value)
    if metadata.get("matched") is not None:
        attrs["profiles_matched"] = int(metadata["matched"])
    if "truncated" in metadata:
        attrs["truncated"] = "true" if metadata["truncated"] else "false"
    if "months_missing" in metadata:
        attrs["months_missing"] = ",".join(metadata["months_missing"])
    if metadata.get("pages", 1) > 1:
        attrs["pages"] = int(metadata["pages"])
    return attrs
