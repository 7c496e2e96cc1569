"""The audit chain's digest: one record's canonical form, hashed over the previous digest.

Kept free of the ORM so migrations can chain old records with exactly the code the program
checks them with.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from console.crypto import digest


def normalise(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A before/after snapshot as the database gives it back (JSON: string keys, lists)."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return result


def _utc(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def chain_digest(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    seat: str = "",
) -> str:
    """The digest of one audit record chained to ``prev_hash`` ("" for the first record).

    The seat (the workstation, since migration 0013) is part of it when there is one; records
    written before had none and keep their digests.
    """
    fields: list[Any] = [prev_hash, _utc(at), actor, action, entity, str(entity_id), before, after]
    if seat:
        fields.append(seat)
    canonical = json.dumps(
        fields,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return digest(canonical.encode("utf-8"))
