"""Display matrices: one line-protocol driver with profiles, plus Kramer Protocol 2000."""

from __future__ import annotations

from devices.matrix.kramer_p2000 import KramerP2000
from devices.matrix.line import DotMatrix, ExtronSIS, KramerP3000, LineMatrix, MatrixInfo, Routing
from devices.matrix.profiles import PROFILES, LineProfile, get_profile

#: Every matrix profile name, the binary one included.
MATRIX_PROFILES = (*PROFILES, "kramer-p2000")


def open_matrix(transport: object, profile: str, **kwargs: object) -> LineMatrix | KramerP2000:
    """The driver for ``profile`` over ``transport``."""
    if profile == "kramer-p2000":
        return KramerP2000(transport, **kwargs)  # type: ignore[arg-type]
    return LineMatrix(transport, profile, **kwargs)  # type: ignore[arg-type]


__all__ = [
    "MATRIX_PROFILES",
    "PROFILES",
    "DotMatrix",
    "ExtronSIS",
    "KramerP2000",
    "KramerP3000",
    "LineMatrix",
    "LineProfile",
    "MatrixInfo",
    "Routing",
    "get_profile",
    "open_matrix",
]
