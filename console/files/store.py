"""A content-addressed file store: every file is kept under its SHA-256.

``root/ab/abcdef…`` holds the bytes whose SHA-256 is ``abcdef…``. A file is written to
``root/tmp`` first, flushed to disk and renamed into place, so a crash never leaves half a file
under a real name; stored files are made read-only. The same content stored twice is kept once.
:meth:`ContentStore.check` hashes a file again and tells whether it is intact, missing or
changed — the database keeps the hash each file was stored with (``stored_file``).

The store lies beside a SQLite database file (``duty.sqlite`` → ``duty.sqlite.files/``); for a
server database every seat must see the same folder, given by ``DUTY_CONSOLE_FILES``.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import make_url

from console.db.engine import data_dir

CHUNK = 1 << 20
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
FILES_ENV = "DUTY_CONSOLE_FILES"


class BlobState(StrEnum):
    """What a check of a stored file found."""

    OK = "ok"
    MISSING = "missing"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A file in the store: its hash, size and where it lies."""

    sha256: str
    size: int
    path: Path


def store_root_for(url: str) -> Path:
    """The store folder for the database at ``url``.

    ``DUTY_CONSOLE_FILES`` wins; a SQLite file keeps its files beside it; anything else uses
    the per-user data directory.
    """
    configured = os.environ.get(FILES_ENV)
    if configured:
        return Path(configured)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(f"{parsed.database}.files")
    return data_dir() / "files"


def _check_hash(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class ContentStore:
    """Files kept under their SHA-256 in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lies (whether or not it is there)."""
        _check_hash(sha256)
        return self.root / sha256[:2] / sha256

    def put_file(self, source: Path) -> StoredBlob:
        """Copy ``source`` into the store, hashing as it goes."""
        with open(source, "rb") as src:
            return self.put_stream(src)

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Keep ``data`` in the store."""
        tmp = self._tmp_path()
        digest = hashlib.sha256(data).hexdigest()
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return self._settle(tmp, digest, len(data))

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy a readable binary stream into the store."""
        tmp = self._tmp_path()
        hasher = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as out:
                while chunk := stream.read(CHUNK):
                    hasher.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self._settle(tmp, hasher.hexdigest(), size)

    def check(self, sha256: str, size: int | None = None) -> BlobState:
        """Hash the stored file again: intact, missing or changed."""
        path = self.path_for(sha256)
        try:
            if size is not None and path.stat().st_size != size:
                return BlobState.CHANGED
            return BlobState.OK if _hash_file(path) == sha256 else BlobState.CHANGED
        except FileNotFoundError:
            return BlobState.MISSING

    def exists(self, sha256: str) -> bool:
        """Whether a file with this hash lies in the store (unchecked)."""
        return self.path_for(sha256).is_file()

    def read_bytes(self, sha256: str) -> bytes:
        """The stored bytes (use :meth:`path_for` and stream for large files)."""
        return self.path_for(sha256).read_bytes()

    def hashes(self) -> Iterator[str]:
        """Every hash with a file in the store."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for file in sorted(folder.iterdir()):
                    if SHA256_RE.match(file.name):
                        yield file.name

    # ----------------------------------------------------------------------- internals

    def _tmp_path(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"{uuid.uuid4().hex}.part"

    def _settle(self, tmp: Path, digest: str, size: int) -> StoredBlob:
        final = self.path_for(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and self.check(digest, size) is BlobState.OK:
            tmp.unlink()  # already kept once
        else:
            if final.exists():  # a damaged copy: replace it with the good bytes
                final.chmod(0o644)
            os.replace(tmp, final)
            final.chmod(0o444)
        return StoredBlob(digest, size, final)


def _hash_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as src:
        while chunk := src.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
