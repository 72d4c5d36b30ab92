"""Articles, chunks (with character offsets) and their BM25 index (SQLite FTS5), in one file."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.schema import Article, Chunk, Passage
from qa.words import STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT NOT NULL, source TEXT NOT NULL,
    url TEXT NOT NULL, path TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks(article_id);
CREATE INDEX IF NOT EXISTS articles_by_date ON articles(date);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, text, tokenize='porter unicode61 remove_diacritics 2'
);
"""


def bm25_query(question: str) -> str:
    """An FTS5 query from free text: its content words, quoted (no FTS syntax gets through), OR-ed."""
    words = [w for w in _WORD.findall(question.lower()) if w not in STOPWORDS]
    unique = list(dict.fromkeys(words))[:MAX_QUERY_TERMS]
    return " OR ".join('"' + word.replace('"', "") + '"' for word in unique)


class ChunkStore:
    """Articles, chunks and the BM25 (FTS5) index in one SQLite file."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if not read_only:
            self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def copy_to(self, path: Path) -> None:
        """A consistent copy of the whole store at ``path`` (SQLite's online backup)."""
        target = sqlite3.connect(path)
        try:
            with target:
                self.db.backup(target)
        finally:
            target.close()

    def next_chunk_id(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM chunks").fetchone()[0])

    def put_article(self, article: Article, chunks: Sequence[Chunk], first_id: int) -> list[int]:
        self.db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.title, article.date, article.source, article.url, article.path, article.text),
        )
        ids = list(range(first_id, first_id + len(chunks)))
        self.db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
            [(i, c.article_id, c.index, c.start, c.end, c.text) for i, c in zip(ids, chunks, strict=True)],
        )
        self.db.executemany(
            "INSERT INTO chunks_fts(rowid, title, text) VALUES (?, ?, ?)",
            [(i, article.title, c.text) for i, c in zip(ids, chunks, strict=True)],
        )
        return ids

    def delete_article(self, article_id: str) -> list[int]:
        ids = [row[0] for row in self.db.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,))]
        self.db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
        self.db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return ids

    def bm25(self, question: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(chunk id, BM25 score; higher is better) for the ``k`` best chunks."""
        query = bm25_query(question)
        if not query:
            return []
        sql = "SELECT rowid, -bm25(chunks_fts, 0.5, 1.0) AS score FROM chunks_fts WHERE chunks_fts MATCH ?"
        params: list[object] = [query]
        if allowed is not None:
            sql += " AND rowid IN (SELECT value FROM json_each(?))"
            params.append(json.dumps([int(i) for i in allowed]))
        sql += " ORDER BY bm25(chunks_fts, 0.5, 1.0) LIMIT ?"
        params.append(k)
        return [(int(row[0]), float(row[1])) for row in self.db.execute(sql, params)]

    def passages(self, scored: Sequence[tuple[int, float]]) -> list[Passage]:
        """Passages for (chunk id, score) pairs, in the given order."""
        if not scored:
            return []
        ids = [chunk_id for chunk_id, _ in scored]
        rows = self.db.execute(
            "SELECT c.id, c.article_id, c.start, c.end, c.text, a.title, a.date, a.source, a.url "
            "FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE c.id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        by_id = {row["id"]: row for row in rows}
        return [
            Passage(
                chunk_id=chunk_id,
                article_id=row["article_id"],
                title=row["title"],
                date=row["date"],
                source=row["source"],
                url=row["url"],
                start=row["start"],
                end=row["end"],
                text=row["text"],
                score=score,
            )
            for chunk_id, score in scored
            if (row := by_id.get(chunk_id)) is not None
        ]

    def chunk_ids_where(self, date_from: str | None, date_to: str | None, source: str | None) -> np.ndarray:
        clauses, params = [], []
        if date_from:
            clauses.append("a.date != '' AND a.date >= ?")
            params.append(date_from)
        if date_to:
            clauses.append("a.date != '' AND a.date <= ?")
            params.append(date_to)
        if source:
            clauses.append("a.source = ?")
            params.append(source)
        where = " AND ".join(clauses) or "1"
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE {where}", params
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else Article(**{key: row[key] for key in row.keys()})  # noqa: SIM118 - sqlite3.Row

    def list_articles(self) -> list[dict]:
        rows = self.db.execute("SELECT id, title, date, source, url, path FROM articles ORDER BY date DESC, title")
        return [dict(row) for row in rows]

    def characters(self) -> int:
        return int(self.db.execute("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM chunks").fetchone()[0])

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
