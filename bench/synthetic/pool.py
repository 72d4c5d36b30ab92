"""The sentence pool that synthetic articles are drawn from: the sentences, lengths, titles, dates and
sources of the Wikinews articles in ../shared/data/news, read once per process."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.corpora import NEWS
from qa.articles import normalize_date
from qa.chunking import sentence_spans

NEWS_FILES = ("news.jsonl", "news_more_tosca.jsonl")


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


def json_inner(text: str) -> str:
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
    body = [json_inner(s) + json_inner(g) for s, g in zip(sentences, gaps, strict=True)]
    last = [json_inner(s) + '"}\n' for s in sentences]
    return SentencePool(
        sentences=np.array(sentences, dtype=object),
        body=np.array(body, dtype=object),
        last=np.array(last, dtype=object),
        lengths=np.array(lengths, dtype=np.int64),
        titles=tuple(json_inner(t) for t in titles),
        dates=tuple(dates),
        sources=tuple(json_inner(s) for s in sources),
    )
