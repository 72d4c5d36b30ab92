"""Synthetic news archives and a stand-in embedder, the building blocks of ``bench/scale.py`` (#9).

**Archives.** `write_archive` writes ``articles`` synthetic articles as JSON Lines files
(``part-00000.jsonl``, ...) that Newsdesk reads like any other collection. Each text is a run of
real sentences resampled from the Wikinews articles in ../shared/data/news (both files), its
length in sentences drawn from the real articles' lengths, so that articles chunk like the real
ones (about 4 chunks of up to 800 characters each). Title, date and source come from one real
article; a title met again gets a suffix, " (2)", " (3)", ... Everything is drawn from numpy
generators seeded by ``seed`` and the article's block of `BLOCK` articles, so an archive is the
same on every run, and a smaller archive is the start of a larger one with the same seed (article
``syn-0000042`` is the same in both). The archive is written a block at a time: a million articles
never sit in memory, only the sentence pool (about 100,000 sentences, 13 MB) does.

`add_article`, `pick_article`, `modify_article` and `remove_article` make the one-article changes
whose index updates the benchmark times.

**The stand-in embedder.** `StandInEmbedder` is NOT a language model. It hashes lowercased words
and word pairs into 384 signed buckets and turns the counts into a unit vector, so that texts
sharing words get similar vectors: nearest neighbours are meaningful (texts sharing words), unlike
random noise, but the vectors carry no meaning beyond shared words. Its indexes record the model
name ``stand-in:hashing-384``, so they are never mistaken for real ones. It costs a small fraction
of a real embedding (tens of thousands of chunks a second on one core), so that a benchmark run
with it times the index machinery alone: reading, chunking, the chunk store, BM25 and the dense
index.

>>> import tempfile
>>> from qa.articles import read_articles
>>> folder = Path(tempfile.mkdtemp()) / "archive"
>>> size = write_archive(folder, 25, per_file=10)
>>> sorted(path.name for path in folder.iterdir())
['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl']
>>> reading = read_articles(folder)
>>> len(reading.articles), reading.problems, reading.articles[0].id
(25, (), 'syn-0000001')
>>> make_article(25) == json.loads((folder / "part-00002.jsonl").read_text().splitlines()[-1])
True
>>> vectors = StandInEmbedder().embed(["Putin visits China.", "Xi meets Putin in China.", "Floods hit Valencia."])
>>> vectors.shape, vectors.dtype
((3, 384), dtype('float32'))
>>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
True
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import NEWS
from qa.articles import MAX_COLLECTION_FILE_BYTES, normalize_date
from qa.chunking import sentence_spans
from qa.embedding import Embedder
from qa.words import STOPWORDS

NEWS_FILES = ("news.jsonl", "news_more_tosca.jsonl")
BLOCK = 2048  # articles drawn from one set of random streams
ID_PREFIX = "syn-"


# --- the sentence pool ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentencePool:
    """The real articles cut into sentences, kept as JSON string content ready to be joined.

    ``body[i]``: sentence ``i`` escaped for a JSON string, then the escaped gap that followed it in
    its article ("\\n\\n" after a paragraph's last sentence, else a space); ``last[i]``: the same
    sentence closing a record (no gap, then ``"}`` and a newline). ``lengths``: every real
    article's length in sentences. The templates (title, date, source) are the real articles that
    have a date; their title and source are escaped for JSON too."""

    sentences: np.ndarray  # str objects, plain text
    body: np.ndarray
    last: np.ndarray
    lengths: np.ndarray  # int64
    titles: tuple[str, ...]
    dates: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def mean_record_bytes(self) -> float:
        sentence = float(np.mean([len(s.encode()) for s in self.body[::20]]))
        return float(self.lengths.mean()) * sentence + 400  # 400: id, title, date, source, keys


def _json_inner(text: str) -> str:
    """``text`` as the inside of a JSON string. Besides what JSON escapes, the line separators that
    Python's str.splitlines() breaks at (U+2028, U+2029, U+0085) are escaped: Newsdesk splits a
    JSON Lines file with it."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1]
    return inner.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


@functools.cache
def load_pool(news: Path = NEWS) -> SentencePool:
    """The sentence pool from ``news`` (../shared/data/news), read once per process."""
    files = [news / name for name in NEWS_FILES]
    missing = [str(file) for file in files if not file.is_file()]
    if missing:
        raise FileNotFoundError(
            f"bench/scale.py needs ../shared/data/news (the read-only Wikinews data); missing: {', '.join(missing)}"
        )
    sentences: list[str] = []
    gaps: list[str] = []
    lengths: list[int] = []
    titles: list[str] = []
    dates: list[str] = []
    sources: list[str] = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            # A lone surrogate (from a JSON escape) cannot be written as UTF-8.
            text = str(record.get("text") or "").encode("utf-8", "replace").decode("utf-8").strip()
            spans = sentence_spans(text)
            if not spans:
                continue
            for (start, end), (next_start, _) in zip(spans, [*spans[1:], (len(text), 0)], strict=True):
                sentences.append(text[start:end])
                gaps.append("\n\n" if "\n" in text[end:next_start] or next_start == len(text) else " ")
            lengths.append(len(spans))
            date = normalize_date(str(record.get("date") or ""))
            title = " ".join(str(record.get("title") or "").split())
            if date and title:
                titles.append(title)
                dates.append(date)
                sources.append(" ".join(str(record.get("source") or "").split()))
    body = [_json_inner(s) + _json_inner(g) for s, g in zip(sentences, gaps, strict=True)]
    last = [_json_inner(s) + '"}\n' for s in sentences]
    return SentencePool(
        sentences=np.array(sentences, dtype=object),
        body=np.array(body, dtype=object),
        last=np.array(last, dtype=object),
        lengths=np.array(lengths, dtype=np.int64),
        titles=tuple(_json_inner(t) for t in titles),
        dates=tuple(dates),
        sources=tuple(_json_inner(s) for s in sources),
    )


# --- drawing and rendering articles ---------------------------------------------------------------


def article_id(number: int) -> str:
    """The id of article ``number`` (from 1).

    >>> article_id(42)
    'syn-0000042'
    """
    return f"{ID_PREFIX}{number:07d}"


class _Stream:
    """Renders articles 1, 2, 3, ... in order, as JSON Lines text. Article ``n`` depends on ``seed``,
    its block ((n - 1) // BLOCK) and its place in it; a title's repeat count depends on the
    articles before it."""

    def __init__(self, pool: SentencePool, seed: int) -> None:
        self.pool = pool
        self.seed = seed
        self.done = 0  # articles rendered (or skipped) so far
        self.uses = np.zeros(len(pool.titles), dtype=np.int64)  # how often each title was given

    def _rng(self, block: int, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, block, stream])

    def _templates(self, block: int, begin: int, end: int) -> np.ndarray:
        return self._rng(block, 0).integers(0, len(self.pool.titles), size=end)[begin:]

    def _segments(self, until: int) -> Iterator[tuple[int, int, int]]:
        """(block, begin, end) inside blocks, up to article ``until``; advances ``done``."""
        while self.done < until:
            block, begin = divmod(self.done, BLOCK)
            end = min(BLOCK, begin + until - self.done)
            yield block, begin, end
            self.done += end - begin

    def skip(self, until: int) -> None:
        """Pass over articles up to ``until`` (counting their titles) without rendering them."""
        for block, begin, end in self._segments(until):
            self.uses += np.bincount(self._templates(block, begin, end), minlength=len(self.uses))

    def render(self, until: int) -> Iterator[str]:
        """The JSON Lines text of the articles after ``done`` up to ``until``, a block at a time."""
        pool = self.pool
        for block, begin, end in self._segments(until):
            first_number = block * BLOCK + begin + 1
            lengths = pool.lengths[self._rng(block, 1).integers(0, len(pool.lengths), size=end)]
            skipped = int(lengths[:begin].sum())
            lengths = lengths[begin:]
            picks = self._rng(block, 2).integers(0, len(pool.sentences), size=skipped + int(lengths.sum()))[skipped:]
            templates = self._templates(block, begin, end)
            repeats = self._repeats(templates)
            # One list of pieces: per article its opening (id ... "text": "), then its sentences.
            ends = np.cumsum(lengths + 1)
            starts = ends - lengths - 1
            pieces = np.empty(int(ends[-1]), dtype=object)
            opening = np.zeros(len(pieces), dtype=bool)
            opening[starts] = True
            pieces[~opening] = pool.body[picks]
            pieces[ends - 1] = pool.last[picks[np.cumsum(lengths) - 1]]
            pieces[starts] = [
                f'{{"id": "{article_id(first_number + i)}", '
                f'"title": "{pool.titles[t]}{f" ({r})" if r > 1 else ""}", '
                f'"date": "{pool.dates[t]}", "source": "{pool.sources[t]}", "text": "'
                for i, (t, r) in enumerate(zip(templates.tolist(), repeats.tolist(), strict=True))
            ]
            yield "".join(pieces.tolist())

    def _repeats(self, templates: np.ndarray) -> np.ndarray:
        """For each drawn template, how many times its title has been given, this one included."""
        order = np.argsort(templates, kind="stable")
        ranked = templates[order]
        rank = np.arange(len(ranked)) - np.searchsorted(ranked, ranked, side="left")
        repeats = np.empty_like(templates)
        repeats[order] = self.uses[ranked] + rank + 1
        self.uses += np.bincount(templates, minlength=len(self.uses))
        return repeats


def write_archive(folder: Path, articles: int, seed: int = 0, per_file: int = 10_000) -> int:
    """Write ``articles`` synthetic articles into the new (or empty) ``folder``, ``per_file`` to a
    JSON Lines file (``part-00000.jsonl``, ...); returns the bytes written."""
    if articles < 0 or per_file < 1:
        raise ValueError("articles must be >= 0 and per_file >= 1")
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; write a synthetic archive into a new folder")
    pool = load_pool()
    # A file over the collection limit would be skipped whole by the reader (a mean record is
    # ~2.6 kB, so 10,000 a file make ~26 MB of the 500 MB allowed).
    if per_file * pool.mean_record_bytes * 4 > MAX_COLLECTION_FILE_BYTES:
        raise ValueError(f"per_file={per_file:,} risks files over Newsdesk's collection limit; use fewer")
    folder.mkdir(parents=True, exist_ok=True)
    stream = _Stream(pool, seed)
    written = 0
    for part, first in enumerate(range(0, articles, per_file)):
        file = folder / f"part-{part:05d}.jsonl"
        size = 0
        with open(file, "wb") as handle:
            for text in stream.render(min(first + per_file, articles)):
                data = text.encode("utf-8")
                handle.write(data)
                size += len(data)
        if size > MAX_COLLECTION_FILE_BYTES:
            raise RuntimeError(f"{file} came out at {size:,} bytes, over Newsdesk's collection limit; lower per_file")
        written += size
    return written


def make_article(number: int, seed: int = 0) -> dict:
    """Article ``number`` (from 1) of the archive with this ``seed`` as a record, whether or not
    the archive written holds it (the one after an archive's last is the one to add)."""
    if number < 1:
        raise ValueError("articles are numbered from 1")
    stream = _Stream(load_pool(), seed)
    stream.skip(number - 1)
    return json.loads("".join(stream.render(number)))


def add_article(folder: Path, number: int, seed: int = 0) -> dict:
    """Write article ``number`` (`make_article`) into ``folder`` as a file of its own,
    ``syn-NNNNNNN.json``; returns its record. For an archive of N articles, add number N + 1."""
    record = make_article(number, seed)
    file = Path(folder) / f"{record['id']}.json"
    if file.exists():
        raise FileExistsError(f"{file} exists already")
    file.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return record


# --- changing one stored article ------------------------------------------------------------------


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


# --- the stand-in embedder ------------------------------------------------------------------------

DIMENSION = 384
STOPWORD_WEIGHT = 0.15
PAIR_WEIGHT = 0.5
BATCH = 4096
_STOP_BIT = 1 << 32  # in a word's code: the word is a stopword
_SEPARATOR = -1  # the code of the \x00 that separates texts
# Bytes to lowercase words: ASCII letters lowercased, digits and UTF-8 (non-ASCII letters) kept,
# \x00 (between texts) kept, everything else a space. Common non-ASCII punctuation (curly quotes,
# dashes) becomes a space first.
_WORD_BYTES = bytes(
    c + 32 if 65 <= c <= 90 else c if c == 0 or 48 <= c <= 57 or 97 <= c <= 122 or c >= 128 else 32 for c in range(256)
)
_PUNCTUATION = re.compile("[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0\u00ab\u00bb]")
_STOPWORD_BYTES = frozenset(word.encode() for word in STOPWORDS)
_UNKNOWN = -2
_CODES: dict[bytes, int] = {b"\x00": _SEPARATOR}  # word -> its code (`_code`)


def _code(word: bytes) -> int:
    """A word's code, kept in _CODES: its crc32 (the same in every process, unlike hash()), plus
    _STOP_BIT for stopwords."""
    if len(_CODES) > 2_000_000:  # unbounded vocabularies (ids, numbers): start again
        _CODES.clear()
        _CODES[b"\x00"] = _SEPARATOR
    code = _CODES[word] = zlib.crc32(word) | (_STOP_BIT if word in _STOPWORD_BYTES else 0)
    return code


@functools.cache
def _rotation() -> np.ndarray:
    """A fixed random rotation: it spreads the bucket counts over every dimension, as real
    embeddings are dense, and keeps every cosine as it was."""
    q, r = np.linalg.qr(np.random.default_rng(384_000).standard_normal((DIMENSION, DIMENSION)))
    return (q * np.sign(np.diag(r))).astype(np.float32)


@dataclass
class StandInEmbedder(Embedder):
    """A STAND-IN for the real embedder, for timing the index machinery alone: NOT a language model.

    Each text's lowercased words (stopwords at weight 0.15) and pairs of adjacent non-stopwords (at
    0.5) are hashed (crc32) into 384 buckets with a sign, the bucket sums are rotated by a fixed
    random rotation and scaled to unit length. Texts that share words get similar vectors, so
    nearest-neighbour searches behave like real ones, at a tiny fraction of a model's cost.
    Deterministic in every process. Its name, ``stand-in:hashing-384``, goes into an index's
    manifest, so an index built with it is never served as a real one."""

    @property
    def name(self) -> str:
        return f"stand-in:hashing-{DIMENSION}"

    @property
    def settings(self) -> dict[str, str | int | None]:
        return {"kind": "stand-in", "method": "crc32 hashed words and word pairs, rotated", "version": 1}

    @property
    def dimension(self) -> int:
        return DIMENSION

    def warm_up(self) -> None:
        """Nothing to load."""

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (``progress`` is ignored)."""
        texts = list(texts)
        parts = [self._embed_batch(texts[begin : begin + BATCH]) for begin in range(0, len(texts), BATCH)]
        return np.vstack(parts) if parts else np.zeros((0, DIMENSION), dtype=np.float32)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        joined = " \x00 ".join(texts)
        if joined.count("\x00") != len(texts) - 1:  # a text holds \x00 itself
            joined = " \x00 ".join(text.replace("\x00", " ") for text in texts)
        data = _PUNCTUATION.sub(" ", joined).encode("utf-8", "replace")
        words = data.translate(_WORD_BYTES).split()
        codes = np.fromiter(map(_CODES.get, words, repeat(_UNKNOWN)), dtype=np.int64, count=len(words))
        for at in np.flatnonzero(codes == _UNKNOWN).tolist():
            codes[at] = _code(words[at])
        separator = codes == _SEPARATOR
        row = np.cumsum(separator)  # which text each token is in
        codes, row = codes[~separator], row[~separator]
        stop = (codes & _STOP_BIT) != 0
        hashes = (codes & 0xFFFFFFFF).astype(np.uint64)
        # Pairs of adjacent non-stopwords in the same text, hashed from their two words' hashes.
        pair = ~stop[:-1] & ~stop[1:] & (row[:-1] == row[1:])
        mixed = hashes[:-1][pair] * np.uint64(0x9E3779B97F4A7C15) ^ hashes[1:][pair] * np.uint64(0xC2B2AE3D27D4EB4F)
        mixed = (mixed ^ (mixed >> np.uint64(29))) >> np.uint64(11)
        keys = np.concatenate([hashes, mixed])
        weights = np.concatenate([np.where(stop, STOPWORD_WEIGHT, 1.0), np.full(len(mixed), PAIR_WEIGHT)])
        signs = np.where((keys >> np.uint64(20)) & np.uint64(1), 1.0, -1.0)
        buckets = (keys % np.uint64(DIMENSION)).astype(np.int64) + np.concatenate([row, row[:-1][pair]]) * DIMENSION
        sums = np.bincount(buckets, weights=signs * weights, minlength=len(texts) * DIMENSION)
        sums = sums.reshape(len(texts), DIMENSION).astype(np.float32)
        sums[~sums.any(axis=1), 0] = 1.0  # a text without words: one fixed vector
        vectors = sums @ _rotation()
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors
