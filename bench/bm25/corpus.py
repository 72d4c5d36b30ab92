"""The corpus of the BM25 benchmark: paths and settings, synthetic chunks drawn from the Wikinews
sentences, and the real articles cut the same way."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qa.chunking import sentence_spans

ROOT = Path(__file__).resolve().parent.parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news"
SOURCES = [NEWS / "news.jsonl", NEWS / "news_more_tosca.jsonl"]
REAL = NEWS / "news.jsonl"
SEEDS = ROOT / "seeds"
QUESTIONS = ROOT.parent / "shared" / "data" / "newsqa" / "dev.jsonl"
WORK = ROOT / "runs" / "bench" / "bm25"

CHUNK_CHARS = 800
BATCH = 10_000
TOP_K = 20
WARM_UP = 10
FTS_VARIANTS = ["fts5-today", "fts5-rank", "fts5-rare4", "fts5-rare6", "fts5-df1pct"]
FTS_OPT_VARIANTS = ["fts5-opt-rank", "fts5-opt-rare4"]
TANTIVY_VARIANTS = ["tantivy", "tantivy-rare4"]
VARIANTS = FTS_VARIANTS + FTS_OPT_VARIANTS + TANTIVY_VARIANTS
TOKENIZE = "porter unicode61 remove_diacritics 2"


Batch = list[tuple[int, str, str]]


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def naive_chunks(text: str) -> list[str]:
    """Consecutive sentences packed up to CHUNK_CHARS (a longer sentence is cut), no overlap."""
    chunks: list[str] = []
    current = ""
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        while len(sentence) > CHUNK_CHARS:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(sentence[:CHUNK_CHARS])
            sentence = sentence[CHUNK_CHARS:]
        if current and len(current) + 1 + len(sentence) > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    return chunks


@dataclass
class Corpus:
    """A seeded synthetic corpus plus the real articles; ``batches()`` regenerates it identically."""

    synthetic: int
    seed: int = 13
    sentences: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    real: dict[int, tuple[str, str]] = field(default_factory=dict)  # chunk id -> (title, text)
    article_of: dict[int, str] = field(default_factory=dict)  # real chunk id -> article id
    characters: int = 0

    def __post_init__(self) -> None:
        for path in SOURCES:
            for record in read_jsonl(path):
                self.titles.append(record["title"])
                text = record["text"]
                self.sentences.extend(text[s:e] for s, e in sentence_spans(text) if e - s >= 20)
        real: list[tuple[str, str, str]] = []  # (article id, title, chunk text)
        for record in read_jsonl(REAL):
            real.extend((record["id"], record["title"], chunk) for chunk in naive_chunks(record["text"]))
        for path in sorted(SEEDS.glob("*.txt")):  # the seed article: its id is the file name
            text = path.read_text(encoding="utf-8")
            chunks = naive_chunks(text)
            real.extend((path.stem, chunks[0][:80], chunk) for chunk in chunks)
        rng = random.Random(self.seed)
        ids = sorted(rng.sample(range(1, self.synthetic + len(real) + 1), len(real)))
        for chunk_id, (article_id, title, text) in zip(ids, real, strict=True):
            self.real[chunk_id] = (title, text)
            self.article_of[chunk_id] = article_id

    @property
    def total(self) -> int:
        return self.synthetic + len(self.real)

    def batches(self, size: int = BATCH) -> Iterator[Batch]:
        rng = random.Random(self.seed + 1)
        characters = 0
        batch: Batch = []
        for chunk_id in range(1, self.total + 1):
            if chunk_id in self.real:
                title, text = self.real[chunk_id]
            else:
                title, text = rng.choice(self.titles), self._synthetic_text(rng)
            characters += len(text)
            batch.append((chunk_id, title, text))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
        self.characters = characters

    def _synthetic_text(self, rng: random.Random) -> str:
        parts: list[str] = []
        length = -1
        while True:
            sentence = rng.choice(self.sentences)
            if length + 1 + len(sentence) > CHUNK_CHARS:
                if not parts:
                    parts.append(sentence[:CHUNK_CHARS])
                break
            parts.append(sentence)
            length += 1 + len(sentence)
        return " ".join(parts)


def quoted(words: list[str]) -> str:
    return " OR ".join('"' + word.replace('"', "") + '"' for word in words)


def rarest(words: list[str], df: dict[str, int], total: int, keep: int | None, max_df: float | None) -> list[str]:
    """The words that occur in the corpus, rarest first, cut to ``keep`` or to df <= max_df * total."""
    present = sorted((w for w in words if df.get(w, 0) > 0), key=lambda w: df[w])
    if max_df is not None:
        rare = [w for w in present if df[w] <= max_df * total]
        present = rare if len(rare) >= 2 else present[:2]
    return present[:keep] if keep is not None else present


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
