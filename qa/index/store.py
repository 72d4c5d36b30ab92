"""The chunk store: one SQLite file, changed in place, one transaction per commit.

It holds the articles and their chunks (with character offsets) and the bookkeeping of the whole
index: which segments of vectors are live, which chunks are deleted (tombstones), the article table
a sync plans against, and each article file's size, mtime and inode (so that a sync re-reads only
files whose stat changed, as git's index does). SQLite's commit is the index's one commit point: a
segment exists for readers once the transaction naming it commits; a kill before that leaves an
orphan folder that the next writer removes. WAL mode: readers never wait for a writer and they
always see one whole commit."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.schema import Article, Chunk, Filters, Passage

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
-- What a sync plans against: every article of the folder the index holds (duplicates included).
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, text_hash TEXT NOT NULL, duplicate_of TEXT, file TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_file ON entries(file);
CREATE INDEX IF NOT EXISTS entries_by_text ON entries(text_hash);
-- Each article file as last read: a file whose stat is unchanged is not read again.
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, problems TEXT NOT NULL, shadowed INTEGER NOT NULL
);
-- A sync in progress: the files it reads and the texts its changed articles had. Its batches commit
-- one by one before the files table changes, so a sync killed midway leaves this journal, and the
-- next sync reads those files again (or removes their articles, if they went meanwhile) and replans
-- those texts' duplicates. The sync's last commit empties it.
CREATE TABLE IF NOT EXISTS pending (kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, value));
-- The live segments, in chunk id order (a merge replaces adjacent ones, so their ids never interleave).
CREATE TABLE IF NOT EXISTS segments (
    name TEXT PRIMARY KEY, chunks INTEGER NOT NULL, ivfpq INTEGER NOT NULL, first_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tombstones (chunk_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FileState:
    """An article file as a sync last read it."""

    size: int
    mtime_ns: int
    inode: int
    # Changed by anything that changes the file, mtime included (chmod, a restored mtime, a
    # rename): git compares it for the same reason.
    ctime_ns: int = 0
    problems: tuple[str, ...] = ()
    shadowed: bool = False  # some of its ids were skipped as read from another file first

    def same_stat(self, other: FileState) -> bool:
        return (self.size, self.mtime_ns, self.inode, self.ctime_ns) == (
            other.size,
            other.mtime_ns,
            other.inode,
            other.ctime_ns,
        )


# The stat recorded for a file that must be read again at the next sync: matches no real file.
UNREAD = FileState(-1, -1, -1, -1)


class ChunkStore:
    """Articles, chunks and the index's bookkeeping in one SQLite file."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
        # Autocommit: transactions are explicit (`transaction`, `snapshot`).
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if not read_only:
            self.db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL is still atomic and consistent: a commit may be lost to a power cut,
            # never half-applied; a killed process loses nothing that committed.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self, durable: bool = False) -> Iterator[None]:
        """One commit: all of it or none of it. ``durable``: fsynced before it returns
        (synchronous=FULL for this commit), so that a power cut cannot roll it back: for the commit
        that finishes a sync or a merge, after which segment files it names may be deleted or a
        generation published. The batches before it stay NORMAL: one lost to a power cut is redone
        from the journal by the next sync."""
        if durable:
            self.db.execute("PRAGMA synchronous=FULL")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        finally:
            if durable:
                self.db.execute("PRAGMA synchronous=NORMAL")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one commit, whatever a writer does meanwhile."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    # Bookkeeping.

    def meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: object) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))

    def commit_number(self) -> int:
        """Bumped by every commit (`bump_commit`): a reader compares it to know it is behind."""
        return int(self.meta("commit", "0"))

    def bump_commit(self, updated: float) -> None:
        self.set_meta("commit", self.commit_number() + 1)
        self.set_meta("updated", updated)

    def take_ids(self, count: int) -> int:
        """Reserve ``count`` chunk ids; returns the first. Ids are never reused, so a tombstone
        names one chunk forever."""
        first = int(self.meta("next_chunk_id", "1"))
        self.set_meta("next_chunk_id", first + count)
        return first

    def take_segment_name(self) -> str:
        number = int(self.meta("next_segment", "1"))
        self.set_meta("next_segment", number + 1)
        return f"seg-{number:06d}"

    def segments(self) -> list[tuple[str, int, bool]]:
        """The live segments as (name, chunks, ivfpq), oldest first."""
        rows = self.db.execute("SELECT name, chunks, ivfpq FROM segments ORDER BY first_id")
        return [(row[0], int(row[1]), bool(row[2])) for row in rows]

    def segment_deletions(self) -> list[int]:
        """How many tombstones each live segment holds (segments hold disjoint id ranges)."""
        firsts = [row[0] for row in self.db.execute("SELECT first_id FROM segments ORDER BY first_id")]
        edges = np.searchsorted(self.tombstones(), np.asarray([*firsts, np.iinfo(np.int64).max], np.int64))
        return np.diff(edges).tolist()

    def add_segment(self, name: str, chunks: int, ivfpq: bool, first_id: int) -> None:
        self.db.execute("INSERT INTO segments VALUES (?, ?, ?, ?)", (name, chunks, int(ivfpq), first_id))

    def live_chunks(self) -> int:
        """Chunks in live segments, less the deleted ones."""
        total = self.db.execute("SELECT COALESCE(SUM(chunks), 0) FROM segments").fetchone()[0]
        return int(total) - self.count("tombstones")

    def drop_segments(self, names: Iterable[str], dropped_ids: np.ndarray) -> None:
        """Forget merged segments and the tombstones of the chunks they held."""
        self.db.executemany("DELETE FROM segments WHERE name = ?", [(n,) for n in names])
        self.db.executemany("DELETE FROM tombstones WHERE chunk_id = ?", [(int(i),) for i in dropped_ids])

    def tombstones(self) -> np.ndarray:
        """Deleted chunk ids, sorted."""
        return np.fromiter(
            (row[0] for row in self.db.execute("SELECT chunk_id FROM tombstones ORDER BY chunk_id")), np.int64
        )

    def entries(self, ids: Iterable[str] | None = None) -> dict[str, dict]:
        """The article table: id -> {"hash", "text_hash", "duplicate_of", "file"} (all, or ``ids``)."""
        sql = "SELECT id, hash, text_hash, duplicate_of, file FROM entries"
        if ids is None:
            rows = self.db.execute(sql)
        else:
            rows = self.db.execute(sql + " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(list(ids)),))
        return {row[0]: _entry(row) for row in rows}

    def entries_with_texts(self, text_hashes: Iterable[str]) -> dict[str, dict]:
        """The entries whose text hash is one of ``text_hashes`` (an article's duplicates)."""
        rows = self.db.execute(
            "SELECT id, hash, text_hash, duplicate_of, file FROM entries "
            "WHERE text_hash IN (SELECT value FROM json_each(?))",
            (json.dumps(list(text_hashes)),),
        )
        return {row[0]: _entry(row) for row in rows}

    def owners(self, ids: Iterable[str]) -> dict[str, str]:
        """The file each of ``ids`` is indexed from (ids the index lacks are left out)."""
        return {i: entry["file"] for i, entry in self.entries(ids).items()}

    def entries_of_files(self, paths: Iterable[str]) -> dict[str, list[tuple[str, dict]]]:
        """The entries read from each of ``paths``."""
        found: dict[str, list[tuple[str, dict]]] = {}
        rows = self.db.execute(
            "SELECT id, hash, text_hash, duplicate_of, file FROM entries "
            "WHERE file IN (SELECT value FROM json_each(?))",
            (json.dumps(list(paths)),),
        )
        for row in rows:
            found.setdefault(row[4], []).append((row[0], _entry(row)))
        return found

    def put_entries(self, entries: dict[str, dict]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
            [(i, e["hash"], e["text_hash"], e["duplicate_of"], e["file"]) for i, e in entries.items()],
        )

    def delete_entries(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in ids])

    def entry_ids(self) -> set[str]:
        """The ids of every article entry, duplicates included."""
        return {row[0] for row in self.db.execute("SELECT id FROM entries")}

    def entry_count(self, duplicates: bool = False) -> int:
        sql = "SELECT COUNT(*) FROM entries" + (" WHERE duplicate_of IS NOT NULL" if duplicates else "")
        return int(self.db.execute(sql).fetchone()[0])

    def files(self) -> dict[str, FileState]:
        rows = self.db.execute("SELECT path, size, mtime_ns, inode, ctime_ns, problems, shadowed FROM files")
        return {
            row[0]: FileState(row[1], row[2], row[3], row[4], tuple(json.loads(row[5])), bool(row[6])) for row in rows
        }

    def put_files(self, files: dict[str, FileState]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (p, f.size, f.mtime_ns, f.inode, f.ctime_ns, json.dumps(list(f.problems)), int(f.shadowed))
                for p, f in files.items()
            ],
        )

    def delete_files(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def pending(self) -> tuple[set[str], set[str]]:
        """The journal of a sync that did not finish: (files it was reading, texts it changed)."""
        found: dict[str, set[str]] = {"file": set(), "text": set()}
        for kind, value in self.db.execute("SELECT kind, value FROM pending"):
            found[kind].add(value)
        return found["file"], found["text"]

    def put_pending(self, files: Iterable[str], texts: Iterable[str]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO pending VALUES (?, ?)",
            [("file", f) for f in files] + [("text", t) for t in texts],
        )

    def clear_pending(self) -> None:
        self.db.execute("DELETE FROM pending")

    # Articles and chunks.

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
        return ids

    def move_articles(self, paths: dict[str, str]) -> None:
        """Record the file each of these indexed articles is now read from (same content, other file)."""
        self.db.executemany("UPDATE articles SET path = ? WHERE id = ?", [(p, i) for i, p in paths.items()])

    def delete_article(self, article_id: str) -> list[int]:
        """Delete an article and its chunks; their ids become tombstones (their vectors stay in
        their segment until a merge)."""
        ids = [row[0] for row in self.db.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,))]
        self.db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        self.db.executemany("INSERT OR IGNORE INTO tombstones VALUES (?)", [(i,) for i in ids])
        return ids

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

    def chunk_ids_where(self, filters: Filters) -> np.ndarray:
        """The chunks of the articles ``filters`` allow (a date filter leaves out undated ones)."""
        clauses, params = [], []
        if filters.date_from:
            clauses.append("a.date != '' AND a.date >= ?")
            params.append(filters.date_from)
        if filters.date_to:
            clauses.append("a.date != '' AND a.date <= ?")
            params.append(filters.date_to)
        if filters.source:
            clauses.append("a.source = ?")
            params.append(filters.source)
        where = " AND ".join(clauses) or "1"
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE {where}", params
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else Article(**{key: row[key] for key in row.keys()})  # noqa: SIM118 - sqlite3.Row

    def list_articles(self) -> list[dict]:
        """Every article, copies of another's text included (under the original's title and date,
        with ``duplicate_of`` naming it), newest first."""
        rows = self.db.execute(
            "SELECT id, title, date, source, url, path, NULL AS duplicate_of FROM articles "
            "UNION ALL "
            "SELECT e.id, o.title, o.date, o.source, o.url, e.file AS path, e.duplicate_of "
            "FROM entries e JOIN articles o ON o.id = e.duplicate_of "
            "ORDER BY date DESC, title, id"
        )
        return [dict(row) for row in rows]

    def chunks(self) -> Iterator[tuple[int, Chunk]]:
        """(chunk id, chunk) of every chunk stored, in id order, from the chunk table alone."""
        rows = self.db.execute("SELECT id, article_id, position, start, end, text FROM chunks ORDER BY id")
        for row in rows:
            yield int(row[0]), Chunk(row[1], int(row[2]), int(row[3]), int(row[4]), row[5])

    def chunk_texts(self) -> Iterator[tuple[int, str, str]]:
        """(chunk id, article title, chunk text) of every chunk, in id order (to rebuild BM25)."""
        rows = self.db.execute(
            "SELECT c.id, a.title, c.text FROM chunks c JOIN articles a ON a.id = c.article_id ORDER BY c.id"
        )
        for row in rows:
            yield int(row[0]), row[1], row[2]

    def characters(self) -> int:
        return int(self.db.execute("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM chunks").fetchone()[0])

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _entry(row: sqlite3.Row) -> dict:
    """An entries row (id, hash, text_hash, duplicate_of, file) as the article table's entry."""
    return {"hash": row[1], "text_hash": row[2], "duplicate_of": row[3], "file": row[4]}
