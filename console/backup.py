"""Backups and restore (容灾备份): the database and the file store, encrypted and verified.

A backup is one sealed file (``duty-backup-YYYYmmdd-HHMMSS.dcbk``, see
:func:`console.crypto.seal_file`) holding a tar archive of

- ``database.sqlite`` — an online copy made with SQLite's backup API, or ``database.pgdump`` —
  ``pg_dump --format=custom`` of one consistent snapshot;
- ``files/ab/abcdef…`` — every file of the content-addressed store;
- ``manifest.json`` — when, which schema revision, the record count of every table taken from the
  same snapshot, the audit chain's length and last digest, and the number and size of the files.

The key lies apart from the backups (``--key-file``, default in the per-user config directory,
never in the backup folder). Every backup is verified before it counts: it is opened with the
key into a scratch folder, the database is restored there (a scratch database on PostgreSQL),
checked (SQLite ``integrity_check``), its record counts compared with the manifest, its audit
chain verified, and every file hashed again. Only then are backups beyond the retention count
deleted, oldest first. :func:`restore` runs the same checks before it replaces anything.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from console import crypto
from console.db.engine import APP_NAME, parse_url
from console.db.models import SEARCH_TABLE_PREFIX, Base
from console.files import ContentStore, store_root_for
from console.files.store import SHA256_RE
from console.timeutil import utcnow

log = logging.getLogger(__name__)

SUFFIX = ".dcbk"
FORMAT = 1
DEFAULT_KEEP = 14
KEY_ENV = "DUTY_CONSOLE_BACKUP_KEY"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore cannot be made or fails its checks (the message says why)."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A verified backup."""

    path: Path
    size: int
    counts: dict[str, int]
    files: int
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What a restore put back."""

    counts: dict[str, int]
    files: int
    kept_aside: Path | None


# --------------------------------------------------------------------------- keys


def default_key_file() -> Path:
    """Where the backup key is kept unless ``--key-file`` or ``DUTY_CONSOLE_BACKUP_KEY`` says."""
    configured = os.environ.get(KEY_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "backup.key"


def load_key(path: Path, *, create: bool = False) -> tuple[bytes, bool]:
    """Read the key (hex) from ``path``; make a new one (mode 0600) if allowed and absent.

    Returns the key and whether it was just created.
    """
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        if not create:
            raise BackupError(f"找不到备份密钥 (backup key not found): {path}") from None
        key = crypto.new_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key.hex() + "\n")
        return key, True
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"备份密钥文件格式不对 (the key file is not a hex key): {path}") from exc
    if len(key) != crypto.SEAL_KEY_BYTES:
        raise BackupError(f"备份密钥长度不对 (the key must be 32 bytes): {path}")
    return key, False


# --------------------------------------------------------------------------- backup


def backup(
    url: str,
    target_dir: Path,
    key: bytes,
    *,
    keep: int = DEFAULT_KEEP,
    files_root: Path | None = None,
    progress: Progress | None = None,
) -> BackupResult:
    """Back up the database at ``url`` and its file store into ``target_dir``, then verify it.

    Raises:
        BackupError: the copy, the encryption or a check failed (nothing is kept then).
    """
    say = progress or (lambda _m: None)
    parsed = parse_url(url)
    store = ContentStore(files_root or store_root_for(url))
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    final = target_dir / f"duty-backup-{stamp}{SUFFIX}"
    if final.exists():
        final = target_dir / f"duty-backup-{stamp}-{uuid.uuid4().hex[:4]}{SUFFIX}"
    with _scratch(target_dir) as work:
        say("1/5 复制数据库 (copying the database)")
        if parsed.get_backend_name() == "sqlite":
            db_name = "database.sqlite"
            counts, audit = _sqlite_copy(Path(str(parsed.database)), work / db_name)
        else:
            db_name = "database.pgdump"
            counts, audit = _pg_dump(parsed, work / db_name)
        say("2/5 收集文件 (collecting stored files)")
        hashes = list(store.hashes())
        total = sum(store.path_for(h).stat().st_size for h in hashes)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "program_version": _program_version(),
            "dialect": parsed.get_backend_name(),
            "database": db_name,
            "schema_revision": _revision(counts_source=work / db_name, parsed=parsed, url=url),
            "counts": counts,
            "audit": audit,
            "files": {"count": len(hashes), "bytes": total},
        }
        (work / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        archive = work / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(work / "manifest.json", "manifest.json")
            tar.add(work / db_name, db_name)
            for n, sha in enumerate(hashes, 1):
                tar.add(store.path_for(sha), f"files/{sha[:2]}/{sha}")
                if n % 500 == 0:
                    say(f"    {n}/{len(hashes)} 个文件 (files)")
        say("3/5 加密 (encrypting)")
        sealed = work / final.name
        crypto.seal_file(key, archive, sealed)
        say("4/5 校验：在临时位置还原并核对 (verifying: restoring into a scratch location)")
        _verify(sealed, key, parsed, work / "verify", say)
        os.replace(sealed, final)
        final.chmod(0o600)
    say("5/5 清理旧备份 (removing old backups beyond the retention)")
    removed = _prune(target_dir, keep, final)
    log.info("backup %s written and verified (%d files)", final, len(hashes))
    return BackupResult(final, final.stat().st_size, counts, len(hashes), removed)


def _sqlite_copy(source: Path, target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    if not source.is_file():
        raise BackupError(f"数据库文件不存在 (database file not found): {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
    try:
        return _counts_sqlite(dst), _audit_sqlite(dst)
    finally:
        dst.close()


def _tables() -> list[str]:
    return sorted(t for t in Base.metadata.tables if not t.startswith(SEARCH_TABLE_PREFIX))


def _counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {
        t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
        for t in _tables()
        if t in present
    }


def _audit_sqlite(conn: sqlite3.Connection) -> dict[str, Any]:
    try:
        row = conn.execute("SELECT count, last_hash FROM audit_head WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        return {}
    return {"count": row[0], "last_hash": row[1]} if row else {}


def _pg_tool(name: str) -> str:
    found = sorted(glob.glob(f"{PG_BIN_GLOB}/{name}"), key=_pg_version, reverse=True)
    path = found[0] if found else shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name} (PostgreSQL client tools are not installed)")
    return path


def _pg_version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def _pg_env(parsed: URL) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    args = []
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    return env, args


def _sa_url(parsed: URL, database: str | None = None) -> URL:
    url = parsed.set(drivername="postgresql+psycopg")
    return url.set(database=database) if database else url


def _pg_dump(parsed: URL, target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """pg_dump of one snapshot, with the record counts read in that same snapshot."""
    engine = create_engine(_sa_url(parsed))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            counts = _counts_sa(conn)
            audit = _audit_sa(conn)
            env, args = _pg_env(parsed)
            result = subprocess.run(
                [
                    _pg_tool("pg_dump"),
                    *args,
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--dbname",
                    str(parsed.database),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
            conn.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败 (pg_dump failed): {result.stderr.strip()}")
    return counts, audit


def _counts_sa(conn: Any) -> dict[str, int]:
    present = set(
        conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
    )
    return {
        t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
        for t in _tables()
        if t in present
    }


def _audit_sa(conn: Any) -> dict[str, Any]:
    row = conn.execute(text("SELECT count, last_hash FROM audit_head WHERE id = 1")).first()
    return {"count": int(row[0]), "last_hash": row[1]} if row else {}


def _revision(counts_source: Path, parsed: URL, url: str) -> str | None:
    if parsed.get_backend_name() == "sqlite":
        with contextlib.closing(sqlite3.connect(counts_source)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return str(row[0]) if row else None
    engine = create_engine(_sa_url(parsed))
    try:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return str(value) if value else None
    finally:
        engine.dispose()


def _program_version() -> str:
    try:
        return metadata.version("duty-console")
    except metadata.PackageNotFoundError:
        return "unknown"


def _prune(target_dir: Path, keep: int, newest: Path) -> list[Path]:
    backups = sorted(target_dir.glob(f"duty-backup-*{SUFFIX}"), key=lambda p: p.name)
    removed = []
    for old in backups[: max(0, len(backups) - max(keep, 1))]:
        if old != newest:
            old.unlink()
            removed.append(old)
            log.info("old backup %s removed (keeping %d)", old, keep)
    return removed


@contextlib.contextmanager
def _scratch(near: Path) -> Iterator[Path]:
    work = Path(tempfile.mkdtemp(prefix=".duty-backup-", dir=near))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- verify and restore


@dataclass(frozen=True, slots=True)
class _Opened:
    manifest: dict[str, Any]
    root: Path  # the extracted archive


def _open(sealed: Path, key: bytes, work: Path, say: Progress) -> _Opened:
    work.mkdir(parents=True, exist_ok=True)
    archive = work / "backup.tar"
    try:
        crypto.unseal_file(key, sealed, archive)
    except crypto.SealError as exc:
        raise BackupError(f"无法打开备份 (cannot open the backup) {sealed.name}: {exc}") from exc
    root = work / "content"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not _safe_member(member.name):
                raise BackupError(f"备份中有异常条目 (unexpected entry): {member.name!r}")
        tar.extractall(root, filter="data")
    archive.unlink()
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError("备份清单缺失或损坏 (the manifest is missing or damaged)") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 (unsupported backup format) {manifest.get('format')}")
    say(
        f"    备份时间 (made) {manifest.get('created_at')}, 结构版本 (schema) "
        f"{manifest.get('schema_revision')}"
    )
    return _Opened(manifest, root)


def _safe_member(name: str) -> bool:
    if name in ("manifest.json", "database.sqlite", "database.pgdump"):
        return True
    parts = name.split("/")
    return (
        len(parts) == 3
        and parts[0] == "files"
        and SHA256_RE.match(parts[2]) is not None
        and parts[1] == parts[2][:2]
    )


def _check_files(opened: _Opened) -> list[Path]:
    files = sorted((opened.root / "files").glob("*/*")) if (opened.root / "files").is_dir() else []
    store = ContentStore(opened.root / "files")
    for path in files:
        if store.check(path.name).value != "ok":
            raise BackupError(
                f"备份中的文件损坏 (a stored file in the backup is damaged): {path.name}"
            )
    expected = opened.manifest.get("files", {}).get("count")
    if expected != len(files):
        raise BackupError(
            f"备份中的文件数不符 (file count mismatch): manifest {expected}, found {len(files)}"
        )
    return files


def _compare(label: str, expected: dict[str, int], found: dict[str, int]) -> None:
    if expected != found:
        diff = {
            t: (expected.get(t), found.get(t))
            for t in set(expected) | set(found)
            if expected.get(t) != found.get(t)
        }
        raise BackupError(f"{label}记录数不符 (record counts differ: manifest vs restored): {diff}")


def _check_sqlite(path: Path, manifest: dict[str, Any]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"数据库完整性检查失败 (integrity check failed): {result}")
        _compare("", manifest["counts"], _counts_sqlite(conn))
        audit = _audit_sqlite(conn)
    _check_audit(f"sqlite:///{path}", manifest, audit)


def _check_audit(url: str, manifest: dict[str, Any], audit: dict[str, Any]) -> None:
    if manifest.get("audit") != audit:
        raise BackupError("审计链末端与清单不符 (the audit chain's end differs from the manifest)")
    if not audit:
        return
    from console.db.session import Database
    from console.services.audit import AuditService

    db = Database.open(url, migrate=False)
    try:
        check = AuditService(db).verify()
    finally:
        db.close()
    if not check.ok:
        raise BackupError(f"备份中的审计链不完整 (the audit chain in the backup): {check.message}")


def _pg_restore_into(parsed: URL, dump: Path, database: str, *, clean: bool) -> None:
    env, args = _pg_env(parsed)
    command = [_pg_tool("pg_restore"), *args, "--no-owner", "--exit-on-error"]
    if clean:
        command += ["--clean", "--if-exists"]
    result = subprocess.run(
        [*command, "--dbname", database, str(dump)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败 (pg_restore failed): {result.stderr.strip()}")


def _check_pg(parsed: URL, dump: Path, manifest: dict[str, Any]) -> None:
    scratch = f"duty_verify_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_sa_url(parsed, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
        try:
            _pg_restore_into(parsed, dump, scratch, clean=False)
            engine = create_engine(_sa_url(parsed, scratch))
            try:
                with engine.connect() as conn:
                    counts, audit = _counts_sa(conn), _audit_sa(conn)
            finally:
                engine.dispose()
            _compare("", manifest["counts"], counts)
            _check_audit(
                _sa_url(parsed, scratch).render_as_string(hide_password=False), manifest, audit
            )
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(
            f"无法在临时数据库中还原校验 (cannot verify in a scratch database): {exc}"
        ) from exc
    finally:
        admin.dispose()


def _verify(sealed: Path, key: bytes, parsed: URL, work: Path, say: Progress) -> _Opened:
    opened = _open(sealed, key, work, say)
    db_file = opened.root / str(opened.manifest.get("database"))
    if not db_file.is_file():
        raise BackupError("备份中没有数据库 (the backup holds no database)")
    if opened.manifest.get("dialect") == "sqlite":
        _check_sqlite(db_file, opened.manifest)
    else:
        if parsed.get_backend_name() != "postgresql":
            raise BackupError("这是 PostgreSQL 备份，请还原到 PostgreSQL (a PostgreSQL backup)")
        _check_pg(parsed, db_file, opened.manifest)
    files = _check_files(opened)
    counts = opened.manifest["counts"]
    say(
        f"    校验通过：{sum(counts.values())} 条记录，{len(files)} 个文件 "
        f"(verified: {sum(counts.values())} records, {len(files)} files)"
    )
    return opened


def verify(
    sealed: Path, key: bytes, url: str | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Open and check a backup in a scratch location; returns its manifest.

    A PostgreSQL backup is restored into a scratch database on the server at ``url``.
    """
    say = progress or (lambda _m: None)
    parsed = parse_url(url) if url else make_url("sqlite:///unused")
    with _scratch(sealed.parent) as work:
        return _verify(sealed, key, parsed, work / "verify", say).manifest


def restore(
    sealed: Path,
    key: bytes,
    url: str,
    *,
    force: bool = False,
    files_root: Path | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Check the backup, then put its database at ``url`` and its files into the store.

    An existing SQLite file is kept aside (``…before-restore-TIMESTAMP``), never deleted; an
    existing database with data is replaced only with ``force``.
    """
    say = progress or (lambda _m: None)
    parsed = parse_url(url)
    store = ContentStore(files_root or store_root_for(url))
    with _scratch(sealed.parent) as work:
        say("1/4 打开并校验备份 (opening and checking the backup)")
        opened = _verify(sealed, key, parsed, work / "verify", say)
        db_file = opened.root / str(opened.manifest["database"])
        kept_aside: Path | None = None
        say("2/4 还原数据库 (restoring the database)")
        if opened.manifest["dialect"] == "sqlite":
            if parsed.get_backend_name() != "sqlite":
                raise BackupError("这是 SQLite 备份，请还原到 SQLite 文件 (a SQLite backup)")
            target = Path(str(parsed.database))
            if target.exists():
                if not force and _has_data_sqlite(target):
                    raise BackupError(
                        f"目标数据库已有数据，如确需覆盖请加 --force (the database {target} holds "
                        "data; add --force to replace it — it is kept aside, not deleted)"
                    )
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                kept_aside = target.with_name(f"{target.name}.before-restore-{stamp}")
                os.replace(target, kept_aside)
                for extra in ("-wal", "-shm"):
                    side = target.with_name(target.name + extra)
                    if side.exists():
                        os.replace(side, kept_aside.with_name(kept_aside.name + extra))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db_file, target)
        else:
            if not force and _has_data_pg(parsed):
                raise BackupError(
                    "目标数据库已有数据，如确需覆盖请加 --force (the database holds data; add "
                    "--force to replace it)"
                )
            _pg_restore_into(parsed, db_file, str(parsed.database), clean=True)
        say("3/4 还原文件 (restoring stored files)")
        files = (
            sorted((opened.root / "files").glob("*/*")) if (opened.root / "files").is_dir() else []
        )
        for n, path in enumerate(files, 1):
            store.put_file(path)
            if n % 500 == 0:
                say(f"    {n}/{len(files)}")
        say("4/4 完成 (done)")
        return RestoreResult(dict(opened.manifest["counts"]), len(files), kept_aside)


def _has_data_sqlite(path: Path) -> bool:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            return (
                "incident" in tables
                and conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM incident) OR EXISTS (SELECT 1 FROM log_entry)"
                ).fetchone()[0]
                == 1
            )
    except sqlite3.DatabaseError:
        return True  # not a database of ours: never overwrite it silently


def _has_data_pg(parsed: URL) -> bool:
    engine = create_engine(_sa_url(parsed))
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT to_regclass('incident') IS NOT NULL")).scalar():
                return False
            return bool(
                conn.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM incident) OR EXISTS (SELECT 1 FROM log_entry)"
                    )
                ).scalar()
            )
    finally:
        engine.dispose()
