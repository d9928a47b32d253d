"""A Python client for the Argo profiles service (``GET /v1/profiles`` and friends).

Standard library only; ``pandas`` and ``xarray`` are optional, for the conversions::

    from argoprofiles import Client

    client = Client("http://localhost:8080")
    result = client.profiles("2024-01-01", "2024-02-01", depth="0:1000:10", bbox=(-40, 20, -10, 50))
    print(result.matched, result.truncated, result.months_missing)
    for profile in result:              # streamed, one profile at a time
        print(profile.platform_number, profile.time, profile["TEMP"][:3])

    ds = client.profiles("2024-01-01", "2024-02-01", depth=range(0, 1001, 10)).to_xarray()

Distribution and import name: ``argoprofiles`` (``pip install './clients/python[xarray]'``).
"""

__version__ = "0.2.0"

from .client import Client  # noqa: E402
from .convert import to_dataframe, to_xarray  # noqa: E402
from .errors import (  # noqa: E402
    ArgoAuthError,
    ArgoBuildError,
    ArgoConnectionError,
    ArgoError,
    ArgoHTTPError,
    ArgoMonthsMissingWarning,
    ArgoNotFoundError,
    ArgoQueryError,
    ArgoRateLimitError,
    ArgoStreamError,
    ArgoTruncatedWarning,
    ArgoWarning,
    ParameterProblem,
)
from .models import Build, BuildProgress, Download, MonthInfo, PlatformInfo, Profile, QueryCounts  # noqa: E402
from .stream import ProfileStream  # noqa: E402

__all__ = [
    "__version__",
    "Client",
    "ProfileStream",
    "Profile",
    "MonthInfo",
    "PlatformInfo",
    "QueryCounts",
    "Download",
    "Build",
    "BuildProgress",
    "to_dataframe",
    "to_xarray",
    "ArgoError",
    "ArgoConnectionError",
    "ArgoHTTPError",
    "ArgoQueryError",
    "ArgoAuthError",
    "ArgoNotFoundError",
    "ArgoRateLimitError",
    "ArgoStreamError",
    "ArgoBuildError",
    "ParameterProblem",
    "ArgoWarning",
    "ArgoTruncatedWarning",
    "ArgoMonthsMissingWarning",
]
