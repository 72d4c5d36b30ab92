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

import json  # noqa: F401 - the doctests above use it
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.synthetic.articles import BLOCK, ID_PREFIX, add_article, article_id, make_article, write_archive
from bench.synthetic.changes import StoredArticle, modify_article, pick_article, remove_article
from bench.synthetic.embedder import StandInEmbedder
from bench.synthetic.pool import SentencePool, load_pool

__all__ = [
    "BLOCK",
    "ID_PREFIX",
    "SentencePool",
    "StandInEmbedder",
    "StoredArticle",
    "add_article",
    "article_id",
    "load_pool",
    "make_article",
    "modify_article",
    "pick_article",
    "remove_article",
    "write_archive",
]
