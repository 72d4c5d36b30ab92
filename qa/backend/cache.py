"""Where model exports are kept, how they are named, and how one is written so that a
half-written export is never seen.

An export is named after what it was made from (the source's digests or file stamps) and the
versions of the tools that made it, so a new model or a new ONNX Runtime makes a new export
instead of reusing a stale one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


class ExportCacheError(OSError):
    """An export cannot be written where the cache is."""


def default_cache_dir() -> Path:
    """Where exports are kept: ``$NEWSDESK_CACHE``, else ``$XDG_CACHE_HOME/newsdesk``, else
    ``~/.cache/newsdesk``."""
    if os.environ.get("NEWSDESK_CACHE"):
        return Path(os.environ["NEWSDESK_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsdesk"


def export_key(name: str, source: object) -> str:
    """A folder name for an export of ``name``: readable, and unique to ``source`` (anything
    JSON-serialisable that changes when the export must be made again) and the tool versions.

    >>> key = export_key("/models/reader", {"sha": "ab12"})
    >>> key.startswith("reader-") and len(key) == len("reader-") + 12
    True
    """
    from importlib.metadata import version

    stamp = json.dumps([source, version("onnxruntime"), version("torch")], sort_keys=True, default=str)
    slug = "".join(c if c.isalnum() else "-" for c in (Path(name).name or name))[-40:]
    return f"{slug}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"


def file_stamps(location: str) -> list[tuple[str, int, int]]:
    """(name, size, mtime) of a model folder's weight files: what changes when its weights do."""
    path = Path(location)
    files = sorted(path.glob("*")) if path.is_dir() else []
    return [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.suffix in (".safetensors", ".bin")]


def cached_export(folder: Path, card_file: str, make: Callable[[Path], None], what: str, instead: str) -> Path:
    """``folder``, made by ``make(staging)`` unless it already holds ``card_file`` (which ``make``
    writes last). ``make`` writes into a staging folder that is renamed into place, so another
    process never reads a half-made export, and two making it at once both end with one.
    ``what`` and ``instead`` word the error when the cache cannot be written."""
    if (folder / card_file).is_file():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    except OSError as error:
        raise ExportCacheError(
            f"cannot write {what}'s cache at {folder.parent.parent} ({error.strerror or error}): "
            f"point NEWSDESK_CACHE at a writable folder, or {instead}"
        ) from error
    try:
        make(staging)
        try:
            os.rename(staging, folder)
        except OSError:
            if not (folder / card_file).is_file():  # not another process finishing first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
