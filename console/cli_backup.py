"""``duty-console backup`` and ``duty-console restore`` (容灾备份), with progress on stderr.

``backup --to DIR`` copies the database (SQLite backup API or pg_dump) and the file store into
one encrypted file, verifies it by restoring it into a scratch location, and keeps the newest
``--keep`` backups. ``backup --check FILE`` verifies an existing backup. ``restore FILE`` checks
the backup, then restores the database given by ``--db`` and the files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console import backup as bk

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DAMAGED = 8

BACKUP_EPILOG = """\
密钥 (key): --key-file, or $DUTY_CONSOLE_BACKUP_KEY, or ~/.config/duty-console/backup.key.
The first backup creates the key (mode 0600) and says where it is: copy it to a safe place
apart from the backups — without it no backup can be opened.

退出状态 (exit status): 0 done and verified; 2 bad arguments or key; 3 database problem;
8 the backup is damaged, cannot be opened with this key, or failed its checks.

定时备份 (scheduled backups): run `duty-console backup --to DIR` from cron or a systemd timer,
e.g. daily at 03:00:  0 3 * * *  duty-console --db URL backup --to /srv/duty-backups --keep 14
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``backup`` and ``restore`` to ``subparsers``."""
    parents = list(parents)
    backup = subparsers.add_parser(
        "backup",
        help="encrypted, verified backup of the database and stored files",
        description="备份 Back up the database and the stored files into one encrypted file, "
        "verified by restoring it into a scratch location.",
        epilog=BACKUP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    where = backup.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="DIR", type=Path, help="write a new backup into DIR")
    where.add_argument("--check", metavar="FILE", type=Path, help="verify an existing backup")
    backup.add_argument(
        "--keep",
        type=int,
        default=bk.DEFAULT_KEEP,
        metavar="N",
        help=f"keep the newest N backups in DIR ({bk.DEFAULT_KEEP})",
    )
    backup.add_argument("--key-file", type=Path, metavar="FILE", help="the backup key")
    restore = subparsers.add_parser(
        "restore",
        help="restore the database (--db) and stored files from a backup",
        description="还原 Check a backup, then restore the database given by --db and the "
        "stored files. An existing SQLite file is kept aside, never deleted.",
        epilog=BACKUP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    restore.add_argument("file", metavar="FILE", type=Path)
    restore.add_argument("--key-file", type=Path, metavar="FILE", help="the backup key")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Carry out ``backup`` or ``restore`` (they open the database themselves)."""
    key_file = args.key_file or bk.default_key_file()
    try:
        if args.command == "restore":
            key, _ = bk.load_key(key_file)
            restored = bk.restore(args.file, key, args.db, force=args.force, progress=_say)
            records = sum(restored.counts.values())
            print(
                f"已还原 {records} 条记录、{restored.files} 个文件 "
                f"(restored {records} records and {restored.files} files)"
            )
            if restored.kept_aside:
                print(f"原数据库已保留在 (the previous database was kept as) {restored.kept_aside}")
            return EXIT_OK
        if args.check is not None:
            key, _ = bk.load_key(key_file)
            manifest = bk.verify(args.check, key, args.db, progress=_say)
            print(
                f"备份完好 (the backup is sound): {args.check.name}, made "
                f"{manifest['created_at']}, {sum(manifest['counts'].values())} records, "
                f"{manifest['files']['count']} files"
            )
            return EXIT_OK
        if args.keep < 1:
            print("duty-console: --keep 至少为 1 (--keep must be at least 1)", file=sys.stderr)
            return EXIT_USAGE
        key, created = bk.load_key(key_file, create=True)
        if created:
            _say(
                f"已生成备份密钥 (a new backup key was made): {key_file} — 请另行妥善保存，"
                "不要与备份放在一起 (keep a copy apart from the backups)"
            )
        result = bk.backup(args.db, args.to, key, keep=args.keep, progress=_say)
        print(
            f"备份完成并已校验 (backup written and verified): {result.path} "
            f"({result.size / 1e6:.1f} MB, {sum(result.counts.values())} records, "
            f"{result.files} files)"
        )
        for old in result.removed:
            print(f"已删除旧备份 (old backup removed): {old.name}")
        return EXIT_OK
    except bk.BackupError as exc:
        message = str(exc)
        code = EXIT_USAGE if "密钥" in message and "not found" in message else EXIT_DAMAGED
        print(f"duty-console: {' '.join(message.split())}", file=sys.stderr)
        return code
