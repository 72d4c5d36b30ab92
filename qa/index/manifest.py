"""The manifest of a generation: format version, settings and the folder it mirrors (JSON, written
once when the generation is made; what changes with each sync lives in the chunk store)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index.errors import IndexUnavailableError, StaleIndexError

MANIFEST_FILE = "manifest.json"
# 2: segments, tombstones and the article table in the chunk store, changed in place.
# 3: files' ctime in the stat check; the journal of an unfinished sync.
FORMAT_VERSION = 3


@dataclass(frozen=True)
class IndexSettings:
    """What an index is built with; a change of any of these needs a rebuild."""

    embedding_model: str
    dimension: int
    chunking: dict
    dense_kind: str = "auto"
    # Indexes written before these were recorded were embedded in bf16 with the model's own limit.
    embedding: dict = field(default_factory=lambda: {"precision": "bf16", "max_tokens": None})

    @classmethod
    def of(cls, embedder: Embedder, chunker: Chunker, dense_kind: str) -> IndexSettings:
        return cls(embedder.name, embedder.dimension, chunker.settings, dense_kind, embedder.settings)

    def describe_change(self, other: IndexSettings) -> str:
        changes = [
            f"{f.name} {getattr(self, f.name)!r} -> {getattr(other, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        ]
        return "; ".join(changes)


@dataclass(frozen=True)
class Manifest:
    format_version: int
    settings: IndexSettings
    # The articles folder this index mirrors, relative to the index folder (so the two can move
    # together).
    articles_dir: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "format_version": self.format_version,
                "settings": asdict(self.settings),
                "articles_dir": self.articles_dir,
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str, where: Path) -> Manifest:
        data = json.loads(text)
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise StaleIndexError(
                f"the index at {where} was written in format {version}, this Newsdesk reads format "
                f"{FORMAT_VERSION}; rebuild it with `newsdesk index --rebuild`"
            )
        return cls(version, IndexSettings(**data["settings"]), data.get("articles_dir", ""))


def read_manifest(generation: Path, index_dir: Path) -> Manifest:
    """The manifest of a generation folder: the one reader of it. `StaleIndexError` when it was
    written in another format version; `IndexUnavailableError` (saying so) when it is missing or
    damaged."""
    try:
        return Manifest.from_json((generation / MANIFEST_FILE).read_text(encoding="utf-8"), index_dir)
    except StaleIndexError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexUnavailableError(f"the manifest of {generation.name} is missing or damaged ({error})") from error
