"""SQLite FTS5 variants: the query Newsdesk used before Tantivy, its native rank, fewer query terms."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from bench.bm25.corpus import TOKENIZE, Corpus, quoted, rarest
from qa.index import content_words


def bm25_query(question: str) -> str:
    """An FTS5 query from free text: the words Newsdesk searches for (`qa.index.content_words`),
    quoted (no FTS syntax gets through), OR-ed."""
    return " OR ".join('"' + word.replace('"', "") + '"' for word in content_words(question))


def build_fts(path: Path, corpus: Corpus) -> float:
    """Today's FTS5 table filled in one transaction; seconds spent in SQLite."""
    db = sqlite3.connect(path)
    db.execute(f"CREATE VIRTUAL TABLE chunks_fts USING fts5(title, text, tokenize='{TOKENIZE}')")
    spent = 0.0
    for batch in corpus.batches():
        started = time.perf_counter()
        db.executemany("INSERT INTO chunks_fts(rowid, title, text) VALUES (?, ?, ?)", batch)
        spent += time.perf_counter() - started
        print(f"\r  fts5: {batch[-1][0]:,} chunks", end="", file=sys.stderr, flush=True)
    started = time.perf_counter()
    db.commit()
    spent += time.perf_counter() - started
    print(file=sys.stderr)
    # The rank config lives in the table (chunks_fts_config); only ORDER BY rank reads it.
    db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('rank', 'bm25(0.5, 1.0)')")
    db.commit()
    db.close()
    return spent


def optimize_fts(path: Path) -> float:
    db = sqlite3.connect(path)
    started = time.perf_counter()
    db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('optimize')")
    db.commit()
    spent = time.perf_counter() - started
    db.execute("VACUUM")
    db.close()
    return spent


class FtsSearch:
    """One FTS5 variant over a read-only connection, opened as ``ChunkStore`` opens it."""

    def __init__(self, path: Path, total: int, rank: bool, keep: int | None = None, max_df: float | None = None):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.total, self.rank, self.keep, self.max_df = total, rank, keep, max_df
        self.prune = keep is not None or max_df is not None
        if self.prune:
            # Query words through the index's own tokenizer (porter): a scratch FTS5 table in temp.
            self.db.executescript(
                "CREATE VIRTUAL TABLE temp.chunks_vocab USING fts5vocab(main, chunks_fts, row);"
                f"CREATE VIRTUAL TABLE temp.words USING fts5(w, tokenize='{TOKENIZE}');"
                "CREATE VIRTUAL TABLE temp.words_vocab USING fts5vocab(temp, words, instance);"
            )

    def close(self) -> None:
        self.db.close()

    def doc_freqs(self, words: list[str]) -> dict[str, int]:
        """Chunks holding each word (the smallest df of its tokens; 0 when it has none)."""
        self.db.execute("DELETE FROM temp.words")
        self.db.executemany("INSERT INTO temp.words(rowid, w) VALUES (?, ?)", list(enumerate(words)))
        tokens = self.db.execute("SELECT doc, term FROM temp.words_vocab").fetchall()
        terms = sorted({term for _, term in tokens})
        df = dict(
            self.db.execute(
                f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({','.join('?' * len(terms))})", terms
            ).fetchall()
        )
        result: dict[str, int] = {}
        for doc, term in tokens:
            word = words[doc]
            result[word] = min(result.get(word, 1 << 62), df.get(term, 0))
        return result

    def search(self, question: str, k: int) -> list[int]:
        if self.prune:
            words = content_words(question)
            if not words:
                return []
            query = quoted(rarest(words, self.doc_freqs(words), self.total, self.keep, self.max_df))
        else:
            query = bm25_query(question)
        if not query:
            return []
        if self.rank:
            sql = "SELECT rowid, -rank AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?"
        else:  # today's SQL, exactly (without the optional `allowed` filter)
            sql = (
                "SELECT rowid, -bm25(chunks_fts, 0.5, 1.0) AS score FROM chunks_fts WHERE chunks_fts MATCH ?"
                " ORDER BY bm25(chunks_fts, 0.5, 1.0) LIMIT ?"
            )
        return [int(row[0]) for row in self.db.execute(sql, (query, k))]
