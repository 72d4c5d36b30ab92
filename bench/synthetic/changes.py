"""The one-article changes whose index updates bench/scale.py times: pick an article of a synthetic
archive, change its text, or remove it (each file rewritten atomically)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.synthetic.pool import load_pool


@dataclass(frozen=True)
class StoredArticle:
    """An article in a synthetic archive: its file, its line in that file (from 0), its record."""

    file: Path
    line: int
    record: dict

    @property
    def id(self) -> str:
        return str(self.record["id"])


def pick_article(folder: Path, seed: int = 0) -> StoredArticle:
    """An article of the archive in ``folder`` to change or remove: a part file, then a line in it,
    drawn with ``seed`` (the same pick for the same archive and seed). Reads one part file."""
    files = sorted(Path(folder).glob("part-*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no part-*.jsonl files in {folder}")
    rng = np.random.default_rng([seed, 1_000_003])
    file = files[int(rng.integers(len(files)))]
    data = file.read_bytes().split(b"\n")
    lines = [number for number, line in enumerate(data) if line.strip()]
    if not lines:
        raise ValueError(f"{file} holds no articles")
    line = lines[int(rng.integers(len(lines)))]
    return StoredArticle(file, line, json.loads(data[line]))


def modify_article(article: StoredArticle, seed: int = 0) -> dict:
    """Change ``article``'s text in its file, as a correction would: a sentence drawn from the pool
    is added at its end. Returns the new record. The file is rewritten atomically."""
    pool = load_pool()
    rng = np.random.default_rng([seed, 1_000_033])
    added = str(pool.sentences[int(rng.integers(len(pool.sentences)))])
    record = {**article.record, "text": f"{article.record['text']} {added}"}
    _rewrite_line(article, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return record


def remove_article(article: StoredArticle) -> dict:
    """Cut ``article``'s line out of its file (rewritten atomically); returns its record."""
    _rewrite_line(article, None)
    return article.record


def _rewrite_line(article: StoredArticle, new: bytes | None) -> None:
    lines = article.file.read_bytes().split(b"\n")
    if article.line >= len(lines) or not lines[article.line].strip():
        raise ValueError(f"{article.file} has no article at line {article.line + 1} any more")
    if json.loads(lines[article.line]).get("id") != article.id:
        raise ValueError(f"{article.file} line {article.line + 1} no longer holds {article.id}")
    if new is None:
        del lines[article.line]
    else:
        lines[article.line] = new
    staged = article.file.with_name(f".{article.file.name}.rewrite")
    staged.write_bytes(b"\n".join(lines))
    os.replace(staged, article.file)
