"""Stage checkpoints: written atomically, verified by SHA-256 before reuse.

Layout of a run's checkpoint folder::

    stage-<i>.pt      torch.save payload after stage i (method state + matrix so far)
    latest.json       {"stage": i, "file": "stage-<i>.pt", "sha256": ..., "run": {identity}}

The stage file is written first and ``latest.json`` replaced last, so a crash
at any point leaves the previous consistent pair. On load the hash, the
payload and the run identity are checked; any mismatch raises instead of
silently resuming from something else.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

from catalog.runfile import write_atomic
from reproductions.deps import require

torch = require("torch")


class CorruptCheckpointError(RuntimeError):
    """A checkpoint exists but cannot be trusted (hash mismatch, unreadable, missing file)."""


class CheckpointMismatchError(RuntimeError):
    """A valid checkpoint belongs to a different run (method, benchmark, profile, seed or config)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(directory: Path, stage: int, payload: dict[str, Any], run: dict[str, Any]) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    torch.save(payload, buf)
    data = buf.getvalue()
    name = f"stage-{stage}.pt"
    tmp = directory / f".{name}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    tmp.replace(directory / name)
    manifest = {"stage": stage, "file": name, "sha256": _sha256(data), "bytes": len(data), "run": run}
    write_atomic(directory / "latest.json", json.dumps(manifest, indent=2, sort_keys=True))
    for old in directory.glob("stage-*.pt"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return directory / name


def exists(directory: Path) -> bool:
    return (Path(directory) / "latest.json").exists()


def load(directory: Path, run: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(last finished stage, payload) of the checkpoint in ``directory`` for this exact run."""
    directory = Path(directory)
    where = f"checkpoint in {directory}"
    try:
        manifest = json.loads((directory / "latest.json").read_text(encoding="utf-8"))
        stage, name, digest = int(manifest["stage"]), str(manifest["file"]), str(manifest["sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptCheckpointError(f"{where} is corrupt: unreadable latest.json ({exc}); delete the folder to start over") from exc
    if manifest.get("run") != run:
        raise CheckpointMismatchError(f"{where} belongs to another run ({manifest.get('run')}); delete it or change --out to start over")
    try:
        data = (directory / name).read_bytes()
    except OSError as exc:
        raise CorruptCheckpointError(f"{where} is corrupt: {name} is missing ({exc}); delete the folder to start over") from exc
    if _sha256(data) != digest:
        raise CorruptCheckpointError(f"{where} is corrupt: {name} does not match its SHA-256; delete the folder to start over")
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the file is unusable
        raise CorruptCheckpointError(f"{where} is corrupt: {name} cannot be loaded ({exc})") from exc
    return stage, payload


def remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
