"""A damaged or forged backup file is refused with SealError before anything is restored.

``duty-console restore`` turns SealError into a clear BackupError; any other exception would end
the restore with a traceback. The sealed file is bit-flipped, cut, grown and given odd headers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.crypto import SEAL_MAGIC, SealError, key_id, new_key, seal_file, unseal_file
from tests.fuzz._helpers import mutated, said_why

KEY = new_key()


def _sealed(tmp: Path) -> bytes:
    source = tmp / "plain"
    source.write_bytes(bytes(range(256)) * 12)
    seal_file(KEY, source, tmp / "sealed", chunk=1024)
    return (tmp / "sealed").read_bytes()


headers = st.fixed_dictionaries(
    {"alg": st.just("AES-256-GCM"), "key_id": st.just(key_id(KEY))},
    optional={
        "chunk": st.one_of(st.integers(-5, 1 << 40), st.text(max_size=5), st.none()),
        "nonce": st.one_of(st.text("0123456789abcdef", max_size=300), st.text(max_size=5)),
    },
)


@given(data=st.data())
def test_a_damaged_or_forged_backup_raises_seal_error_only(
    tmp_path: Path, data: st.DataObject
) -> None:
    good = (tmp_path / "sealed").read_bytes() if (tmp_path / "sealed").exists() else None
    good = good or _sealed(tmp_path)
    body = good.split(b"\n", 2)[2]
    damaged = data.draw(
        st.one_of(
            mutated([good]),
            headers.map(lambda h: SEAL_MAGIC + json.dumps(h).encode() + b"\n" + body),
        )
    )
    path = tmp_path / "damaged"
    path.write_bytes(damaged)
    target = tmp_path / "restored"
    target.unlink(missing_ok=True)
    try:
        unseal_file(KEY, path, target)
    except SealError as exc:
        said_why(exc)
        assert not target.exists()
        assert not target.with_name(target.name + ".part").exists()
        return
    assert target.read_bytes() == bytes(range(256)) * 12  # only the untouched file opens


def test_a_backup_header_missing_its_nonce_is_a_seal_error(tmp_path: Path) -> None:
    """Regression: KeyError/ValueError from the header escaped a restore."""
    good = _sealed(tmp_path)
    for old, new in (
        (b'"nonce"', b'"nonse"'),
        (b'"chunk"', b'"chunq"'),
        (b'"nonce": "', b'"nonce": "zz'),
    ):
        path = tmp_path / "damaged"
        path.write_bytes(good.replace(old, new, 1))
        with pytest.raises(SealError, match="damaged header"):
            unseal_file(KEY, path, tmp_path / "restored")
