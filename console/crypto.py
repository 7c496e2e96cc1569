"""The console's cryptography behind one small interface.

Everything that hashes for integrity (the audit chain) calls :func:`digest`; backups are
encrypted with :func:`seal_file`; a device's stored secret with :func:`seal_text`. A certified
cryptographic module (SM3 from a 国密 provider, say) replaces the implementation here without
touching the callers. :data:`DIGEST_NAME` is recorded with what the digest protects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import BinaryIO

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DIGEST_NAME = "sha256"
DIGEST_HEX_LENGTH = 64


def digest(data: bytes) -> str:
    """The hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


# --------------------------------------------------------------------------- sealed files
#
# A sealed file is: MAGIC, one header line of JSON (algorithm, key id, chunk size, nonce
# prefix), then chunks of [4-byte big-endian length][ciphertext + 16-byte tag]. Chunk i is
# encrypted with AES-256-GCM under the nonce prefix ‖ i and authenticated together with the
# header and a flag telling whether it is the last chunk, so a changed, reordered, cut or
# extended file — or the wrong key — fails to open instead of yielding wrong bytes.

SEAL_MAGIC = b"DUTYSEAL1\n"
SEAL_ALGORITHM = "AES-256-GCM"
SEAL_KEY_BYTES = 32
SEAL_CHUNK = 1 << 20
_TAG = 16


class SealError(Exception):
    """A sealed file cannot be opened: wrong key, damaged, cut short or not a sealed file."""


def new_key() -> bytes:
    """A fresh random key for :func:`seal_file`."""
    return os.urandom(SEAL_KEY_BYTES)


def key_id(key: bytes) -> str:
    """A short public name of a key (recorded in sealed files; does not reveal the key)."""
    return digest(b"duty-console key id\x00" + key)[:16]


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def seal_file(key: bytes, source: Path, target: Path, chunk: int = SEAL_CHUNK) -> None:
    """Encrypt ``source`` into ``target`` (written whole or not at all)."""
    if len(key) != SEAL_KEY_BYTES:
        raise SealError("key must be 32 bytes")
    prefix = os.urandom(4)
    header = (
        json.dumps(
            {"alg": SEAL_ALGORITHM, "key_id": key_id(key), "chunk": chunk, "nonce": prefix.hex()},
            sort_keys=True,
        ).encode()
        + b"\n"
    )
    aead = AESGCM(key)
    partial = target.with_name(target.name + ".part")
    with open(source, "rb") as src, open(partial, "wb") as out:
        out.write(SEAL_MAGIC + header)
        index = 0
        block = src.read(chunk)
        while True:
            following = src.read(chunk)
            last = not following
            sealed = aead.encrypt(
                prefix + index.to_bytes(8, "big"), block, _aad(header, index, last)
            )
            out.write(len(sealed).to_bytes(4, "big") + sealed)
            if last:
                break
            block, index = following, index + 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)


def sealed_key_id(source: Path) -> str:
    """The key id a sealed file names (to pick or check the key before opening it)."""
    with open(source, "rb") as src:
        return str(_read_header(src)[1]["key_id"])


def _read_header(src: BinaryIO) -> tuple[bytes, dict[str, object]]:
    if src.read(len(SEAL_MAGIC)) != SEAL_MAGIC:
        raise SealError("not a sealed file (不是加密备份文件)")
    header = src.readline(4096)
    try:
        info = json.loads(header)
    except ValueError as exc:
        raise SealError("damaged header (文件头损坏)") from exc
    if not isinstance(info, dict) or info.get("alg") != SEAL_ALGORITHM:
        raise SealError("unknown encryption (未知的加密算法)")
    return header, info


def unseal_file(key: bytes, source: Path, target: Path) -> None:
    """Decrypt ``source`` into ``target``; raises :class:`SealError` if anything is wrong."""
    aead = AESGCM(key)
    with open(source, "rb") as src:
        header, info = _read_header(src)
        if info.get("key_id") != key_id(key):
            raise SealError(
                f"wrong key: the file was sealed with key {info.get('key_id')}, this is key "
                f"{key_id(key)} (密钥不匹配)"
            )
        try:  # a damaged header must not end a restore with a KeyError or ValueError
            prefix = bytes.fromhex(str(info["nonce"]))
            limit = int(str(info["chunk"])) + _TAG
        except (KeyError, ValueError) as exc:
            raise SealError("damaged header (文件头损坏)") from exc
        if len(prefix) > 64:  # AES-GCM takes nonces of at most 128 bytes
            raise SealError("damaged header (文件头损坏)")
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as out:
                index, ended = 0, False
                while True:
                    size_bytes = src.read(4)
                    if not size_bytes:
                        break
                    if ended:
                        raise SealError("data after the last chunk (文件被追加)")
                    size = int.from_bytes(size_bytes, "big")
                    sealed = src.read(size)
                    if len(size_bytes) != 4 or size > limit or len(sealed) != size:
                        raise SealError("cut short (文件不完整)")
                    nonce = prefix + index.to_bytes(8, "big")
                    for last in (False, True):
                        try:
                            out.write(aead.decrypt(nonce, sealed, _aad(header, index, last)))
                        except InvalidTag:
                            continue
                        ended = last
                        break
                    else:
                        raise SealError(f"chunk {index} fails authentication (数据被改动)")
                    index += 1
                if not ended:
                    raise SealError("cut short: the last chunk is missing (文件不完整)")
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, target)


# --------------------------------------------------------------------------- passwords and tokens
#
# Account passwords are stored as argon2id hashes in the PHC string format
# (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``): the parameters travel with each hash, so a
# stronger setting later rehashes old passwords at their next login (:func:`needs_rehash`).
# CLI tokens are long random secrets; only their digest is stored.

# Memory 64 MiB, 3 passes, 2 lanes (OWASP's argon2id floor is 19 MiB, 2 passes): ~0.2 s here.
PASSWORD_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2, type=Type.ID)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (PHC string, salted)."""
    return PASSWORD_HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (False for a malformed hash)."""
    try:
        return PASSWORD_HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    try:
        return PASSWORD_HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


TOKEN_PREFIX = "dct_"


def new_token() -> str:
    """A fresh random CLI token (shown once; only :func:`token_digest` of it is stored)."""
    return TOKEN_PREFIX + os.urandom(32).hex()


def token_digest(token: str) -> str:
    """What is stored for a token: its digest (a token has 256 random bits; no salt needed)."""
    return digest(b"duty-console token\x00" + token.encode())


# --------------------------------------------------------------------------- sealed texts
#
# A short secret kept in the database (a PBX's AMI secret) is sealed as one line of text:
# ``dcs1:KEYID:BASE64(nonce ‖ ciphertext ‖ tag)`` — AES-256-GCM under a 96-bit random nonce,
# authenticated together with the prefix and key id (and an optional context), so the wrong
# key is named before anything is tried and a changed text fails instead of yielding garbage.

TEXT_SEAL_VERSION = "dcs1"
_TEXT_NONCE = 12


class WrongKeyError(SealError):
    """The text or file was sealed under another key (its key id is not this key's)."""

    def __init__(self, message: str, sealed_with: str, this_key: str) -> None:
        super().__init__(message)
        self.sealed_with = sealed_with
        self.this_key = this_key


def is_sealed_text(text: str) -> bool:
    """Whether ``text`` looks like the output of :func:`seal_text`."""
    return text.startswith(TEXT_SEAL_VERSION + ":") and text.count(":") == 2


def sealed_text_key_id(text: str) -> str:
    """The key id a sealed text names; raises :class:`SealError` for other text."""
    if not is_sealed_text(text):
        raise SealError("not a sealed text (不是加密文本)")
    return text.split(":")[1]


def _text_aad(kid: str, context: bytes) -> bytes:
    return f"{TEXT_SEAL_VERSION}:{kid}:".encode() + context


def seal_text(key: bytes, plain: str, *, context: bytes = b"") -> str:
    """``plain`` sealed under ``key`` as one line of ASCII (``dcs1:KEYID:…``)."""
    if len(key) != SEAL_KEY_BYTES:
        raise SealError("key must be 32 bytes")
    kid = key_id(key)
    nonce = os.urandom(_TEXT_NONCE)
    sealed = AESGCM(key).encrypt(nonce, plain.encode("utf-8"), _text_aad(kid, context))
    return f"{TEXT_SEAL_VERSION}:{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal_text(key: bytes, text: str, *, context: bytes = b"") -> str:
    """The plain text of a :func:`seal_text` output.

    Raises:
        WrongKeyError: it was sealed under another key.
        SealError: not a sealed text, or changed (fails authentication).
    """
    kid = sealed_text_key_id(text)
    if kid != key_id(key):
        raise WrongKeyError(
            f"wrong key: sealed with key {kid}, this is key {key_id(key)} (密钥不匹配)",
            kid,
            key_id(key),
        )
    try:
        blob = base64.urlsafe_b64decode(text.split(":")[2].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SealError("damaged sealed text (密文损坏)") from exc
    if len(blob) < _TEXT_NONCE + _TAG:
        raise SealError("damaged sealed text (密文损坏)")
    try:
        plain = AESGCM(key).decrypt(blob[:_TEXT_NONCE], blob[_TEXT_NONCE:], _text_aad(kid, context))
    except InvalidTag as exc:
        raise SealError("sealed text fails authentication (密文被改动)") from exc
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError as exc:  # pragma: no cover - authenticated, so ours
        raise SealError("damaged sealed text (密文损坏)") from exc
