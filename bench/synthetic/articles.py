"""Drawing synthetic articles and writing them as an archive of JSON Lines files, the same on every
run for the same seed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.synthetic.pool import SentencePool, load_pool
from qa.articles import MAX_COLLECTION_FILE_BYTES

BLOCK = 2048  # articles drawn from one set of random streams
ID_PREFIX = "syn-"


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
