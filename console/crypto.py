"""The console's cryptography behind one small interface.

Everything that hashes for integrity (the audit chain) calls :func:`digest`; a certified
cryptographic module (SM3 from a 国密 provider, say) replaces the implementation here without
touching the callers. :data:`DIGEST_NAME` is recorded with what the digest protects.
"""

from __future__ import annotations

import hashlib
import hmac

DIGEST_NAME = "sha256"
DIGEST_HEX_LENGTH = 64


def digest(data: bytes) -> str:
    """The hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
