"""The device-credentials key: device secrets (a PBX's AMI secret) sealed at rest.

The database keeps a device's secret only sealed (:func:`console.crypto.seal_text`,
AES-256-GCM) under this installation's device-credentials key. The key lies in a file apart
from the database, like the backup key: ``$DUTY_CONSOLE_DEVICE_KEY``, else
``device-credentials.key`` in the per-user config directory (mode 0600, made when the first
secret is sealed). Seats sharing one PostgreSQL database need the same key: the administrator
copies the file to every seat. A seat whose key does not match cannot read the secret and says
so (:class:`CredentialError`); it never guesses and never sends anything in its place.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication

from console import crypto
from console.db.engine import APP_NAME

log = logging.getLogger(__name__)

KEY_ENV = "DUTY_CONSOLE_DEVICE_KEY"
KEY_FILE_NAME = "device-credentials.key"
#: Authenticated with every sealed device secret: a sealed text of another kind does not open.
CONTEXT = b"duty-console device secret"


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceCredentials", text)


class CredentialError(Exception):
    """A stored device secret cannot be read on this seat, or none can be sealed (says why)."""


def default_key_file() -> Path:
    """Where the device-credentials key is kept unless ``DUTY_CONSOLE_DEVICE_KEY`` says."""
    configured = os.environ.get(KEY_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / KEY_FILE_NAME


class CredentialKey:
    """The device-credentials key in its file (``path``, or :func:`default_key_file`)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._cache: tuple[Path, int, bytes] | None = None

    @property
    def path(self) -> Path:
        """The key file."""
        return self._path if self._path is not None else default_key_file()

    def _read(self, path: Path) -> bytes | None:
        """The key in ``path`` (None when there is no such file)."""
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialError(
                _tr("设备凭据密钥无法读取：{path}：{error}").format(path=path, error=exc)
            ) from exc
        cached = self._cache
        if cached is not None and cached[0] == path and cached[1] == stamp:
            return cached[2]
        try:
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CredentialError(
                _tr("设备凭据密钥文件格式不对（应为 64 位十六进制）：{path}").format(path=path)
            ) from exc
        if len(key) != crypto.SEAL_KEY_BYTES:
            raise CredentialError(
                _tr("设备凭据密钥文件格式不对（应为 64 位十六进制）：{path}").format(path=path)
            )
        self._cache = (path, stamp, key)
        return key

    def _key(self, *, create: bool) -> bytes | None:
        path = self.path
        with self._lock:
            key = self._read(path)
            if key is not None or not create:
                return key
            key = crypto.new_key()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it meanwhile: use theirs
                return self._read(path)
            except OSError as exc:
                raise CredentialError(
                    _tr("无法创建设备凭据密钥 {path}：{error}").format(path=path, error=exc)
                ) from exc
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(key.hex() + "\n")
                out.flush()
                os.fsync(out.fileno())
            log.warning(
                "a new device-credentials key was made at %s (key id %s): seats sharing this "
                "database need a copy of it",
                path,
                crypto.key_id(key),
            )
            return self._read(path)

    def key_id(self) -> str | None:
        """The public id of this seat's key (None when it has none yet)."""
        key = self._key(create=False)
        return crypto.key_id(key) if key is not None else None

    def seal(self, plain: str) -> str:
        """``plain`` sealed for the database (the key file is made if there is none).

        Raises:
            CredentialError: the key file cannot be read or made.
        """
        key = self._key(create=True)
        assert key is not None
        return crypto.seal_text(key, plain, context=CONTEXT)

    def unseal(self, stored: str) -> str:
        """The plain secret of a stored value; a legacy plain value is returned as it is.

        Raises:
            CredentialError: sealed under another key, no key here, or damaged (says which).
        """
        if not crypto.is_sealed_text(stored):
            return stored
        path = self.path
        key = self._key(create=False)
        if key is None:
            raise CredentialError(
                _tr(
                    "设备凭据无法解密：本机密钥不匹配 — 本机没有设备凭据密钥 {path}。"
                    "请从已配置的席位复制该文件（权限 0600）后重启。"
                ).format(path=path)
            )
        try:
            return crypto.unseal_text(key, stored, context=CONTEXT)
        except crypto.WrongKeyError as exc:
            raise CredentialError(
                _tr(
                    "设备凭据无法解密：本机密钥不匹配 — 凭据由密钥 {stored} 加密，本机密钥 "
                    "{local}（{path}）。请从已配置的席位复制密钥文件后重启。"
                ).format(stored=exc.sealed_with, local=exc.this_key, path=path)
            ) from exc
        except crypto.SealError as exc:
            raise CredentialError(
                _tr("设备凭据无法解密：密文损坏或被改动（{reason}）").format(reason=exc)
            ) from exc
