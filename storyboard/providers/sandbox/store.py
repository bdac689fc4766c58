"""The sandbox's records on disk: one small JSON file per task and per element.

A real vendor does not forget a task when we restart our side, so neither does the sandbox:
``data_dir/records/<kind>/<name>.json`` holds each record, written to a temporary file in the
same folder and renamed over the old one (``os.replace`` is atomic on POSIX), so a kill at any
moment leaves either the old record or the new one. A record that cannot be read (a disk
filled mid-write, a hand edit) is skipped with a line on stderr, never a crash; leftover
temporary files are removed at start. No ``fsync``: the records must survive the process being
killed, which the page cache already guarantees; surviving a power cut is not worth slowing
every create down.

Reads happen once, at start; the poll path never touches the disk.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KINDS = ("tasks", "elements")
UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
FORMAT = 1  # bump when a record's shape changes; older records are then skipped


def _file_name(name: str) -> str:
    return UNSAFE.sub("_", name)[:150] + ".json"


class RecordStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        for kind in KINDS:
            folder = self.root / kind
            folder.mkdir(parents=True, exist_ok=True)
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)  # a write the last process did not finish

    def save(self, kind: str, name: str, record: dict[str, Any]) -> None:
        folder = self.root / kind
        data = json.dumps({"format": FORMAT, **record}, ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
            os.replace(tmp, folder / _file_name(name))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, kind: str, name: str) -> None:
        (self.root / kind / _file_name(name)).unlink(missing_ok=True)

    def load(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every readable record of ``kind``; unreadable ones are reported and skipped."""
        for path in sorted((self.root / kind).glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                print(f"sandbox: skipping unreadable record {path}: {exc}", file=sys.stderr)
                continue
            if isinstance(record, dict) and record.get("format") == FORMAT:
                yield record
            else:
                print(f"sandbox: skipping record {path} (unknown format)", file=sys.stderr)
