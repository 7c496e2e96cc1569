"""Copy the CAP 1.2 schema and the sample alerts from the reference folder into the project.

    .venv/bin/python installer/data/copy_cap_reference.py [REFERENCE_CAP_DIR]

``REFERENCE_CAP_DIR`` (default ``../shared/reference/cap`` beside the repository) holds the
OASIS CAP 1.2 schema and public alert messages. The schema goes to ``resources/cap/`` (the
program validates exported and imported alerts against it, offline); the alerts and the
negative cases go to ``tests/data/cap/`` as test fixtures. Sources and terms are recorded in
``resources/cap/SOURCES.md``. Run with ``--check`` to verify the copies are unchanged.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPIES = {
    "CAP-v1.2.xsd": ROOT / "resources" / "cap" / "CAP-v1.2.xsd",
    "examples": ROOT / "tests" / "data" / "cap" / "examples",
    "negative": ROOT / "tests" / "data" / "cap" / "negative",
}


def main(argv: list[str] | None = None) -> int:
    """Copy (or with ``--check`` compare) the reference files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "reference", nargs="?", type=Path, default=ROOT.parent / "shared/reference/cap"
    )
    parser.add_argument("--check", action="store_true", help="only compare, copy nothing")
    args = parser.parse_args(argv)
    differ = []
    for name, target in COPIES.items():
        source = args.reference / name
        if source.is_dir():
            for item in sorted(source.iterdir()):
                dest = target / item.name
                if args.check:
                    if not dest.exists() or not filecmp.cmp(item, dest, shallow=False):
                        differ.append(dest)
                else:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(item, dest)
        elif args.check:
            if not target.exists() or not filecmp.cmp(source, target, shallow=False):
                differ.append(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for path in differ:
        print(f"differs from the reference: {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
