"""The index: FAISS vectors + SQLite (chunks, article metadata, FTS5 BM25) + a JSON manifest.

Layout of an index folder::

    index/
      CURRENT             the name of the live generation, replaced atomically
      gen-000007/
        manifest.json     format version, embedding model and dimension, chunking and dense-index
                          settings, and each article's content hash
        chunks.sqlite     articles, chunks (with character offsets) and their FTS5 table
        dense.faiss       chunk vectors, keyed by chunk id

Every update builds a new generation beside the live one and then replaces ``CURRENT`` with
``os.replace``, so a crash or kill at any moment leaves the previous index whole and loadable.
Open formats only: FAISS's own file format, SQLite and JSON.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import faiss
import numpy as np

from qa.articles import read_articles
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.schema import Article, Chunk, Passage
from qa.words import STOPWORDS

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
CHUNKS_FILE = "chunks.sqlite"
DENSE_FILE = "dense.faiss"
LOCK_FILE = ".lock"
DENSE_KINDS = ("flat", "ivf", "hnsw")

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 64
log = logging.getLogger(__name__)


# Told (chunks embedded so far, chunks to embed, articles being indexed) while a sync embeds.
ProgressCallback = Callable[[int, int, int], None]
PROGRESS_STEP = 128


class IndexUnavailableError(RuntimeError):
    """The index cannot be read or written; the message says why and what to do."""


class StaleIndexError(IndexUnavailableError):
    """The index was built with other settings or by another format version."""


# --------------------------------------------------------------------------- dense vectors


@dataclass
class DenseIndex:
    """Chunk vectors in FAISS, keyed by chunk id. ``kind``: flat (exact inner product, the
    default), ivf (inverted lists, for large archives) or hnsw (graph, for large archives)."""

    kind: str
    dimension: int
    index: faiss.Index = field(repr=False)

    @classmethod
    def create(cls, kind: str, dimension: int, training: np.ndarray | None = None) -> DenseIndex:
        if kind not in DENSE_KINDS:
            raise ValueError(f"unknown dense index kind {kind!r}; choose one of {', '.join(DENSE_KINDS)}")
        if kind == "flat":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        elif kind == "hnsw":
            index = faiss.IndexIDMap2(faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT))
        else:
            vectors = training if training is not None else np.zeros((0, dimension), np.float32)
            lists = max(1, min(1024, int(4 * np.sqrt(max(1, len(vectors)))), len(vectors) // 39 or 1))
            quantizer = faiss.IndexFlatIP(dimension)
            ivf = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
            ivf.train(
                vectors if len(vectors) else np.random.default_rng(0).normal(size=(lists, dimension)).astype(np.float32)
            )
            ivf.nprobe = min(lists, 16)
            index = ivf
        return cls(kind, dimension, index)

    @classmethod
    def load(cls, path: Path, kind: str) -> DenseIndex:
        index = faiss.read_index(str(path))
        if kind == "ivf":
            faiss.extract_index_ivf(index).nprobe = min(faiss.extract_index_ivf(index).nlist, 16)
        return cls(kind, index.d, index)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, np.float32), np.asarray(ids, np.int64))

    def remove(self, ids: Iterable[int]) -> None:
        doomed = np.fromiter(ids, dtype=np.int64)
        if not len(doomed):
            return
        if self.kind != "hnsw":
            self.index.remove_ids(faiss.IDSelectorBatch(doomed))
            return
        # HNSW graphs cannot delete: rebuild from the vectors that stay.
        keep = np.setdiff1d(faiss.vector_to_array(self.index.id_map), doomed)
        vectors = np.vstack([self.index.reconstruct(int(i)) for i in keep]) if len(keep) else None
        self.index = DenseIndex.create("hnsw", self.dimension).index
        if vectors is not None:
            self.add(keep, vectors)

    def search(self, vectors: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest chunks per query row; ids are -1 past the end."""
        if not len(self):
            return np.zeros((len(vectors), 0), np.float32), np.zeros((len(vectors), 0), np.int64)
        k = max(1, min(k, len(self)))
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.asarray(allowed, np.int64))
            if self.kind == "ivf":
                params = faiss.SearchParametersIVF(sel=selector, nprobe=faiss.extract_index_ivf(self.index).nprobe)
            elif self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector)
            else:
                params = faiss.SearchParameters(sel=selector)
        scores, ids = self.index.search(np.ascontiguousarray(vectors, np.float32), k, params=params)
        return scores, ids


# --------------------------------------------------------------------------- chunks and BM25

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

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class IndexSettings:
    """What an index is built with; a change of any of these needs a rebuild."""

    embedding_model: str
    dimension: int
    chunking: dict
    dense_kind: str = "flat"
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
    articles: dict[str, dict]  # id -> {"hash": content hash, "duplicate_of": id or None}
    updated: float
    # The articles folder this index mirrors, relative to the index folder (so the two can move
    # together); "" for indexes written before it was recorded.
    articles_dir: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "format_version": self.format_version,
                "settings": asdict(self.settings),
                "updated": self.updated,
                "articles_dir": self.articles_dir,
                "articles": self.articles,
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
        return cls(
            version, IndexSettings(**data["settings"]), data["articles"], data["updated"], data.get("articles_dir", "")
        )


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    duplicates: int
    chunks_embedded: int
    rebuilt: str  # why the index was rebuilt, or ""
    problems: tuple[str, ...]
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.updated} updated",
            f"{self.removed} removed",
            f"{self.unchanged} unchanged",
        ]
        line = ", ".join(parts) + f" ({self.chunks_embedded} chunks embedded, {self.seconds:.1f} s)"
        if self.duplicates:
            line += f"; {self.duplicates} duplicate article(s) indexed once"
        if self.rebuilt:
            line = f"rebuilt: {self.rebuilt}\n{line}"
        return line


class Index:
    """A loaded generation of the index: search by vector or BM25, fetch passages.

    >>> import tempfile, pathlib
    >>> from qa.schema import Article
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Rain in Madrid\\nIt rained in Madrid on Monday.")
    >>> report = sync_index(folder, folder / "index", Chunker(), Embedder())
    >>> report.added, Index.open(folder / "index").chunk_count
    (1, 1)
    """

    def __init__(self, directory: Path, generation: Path, manifest: Manifest, store: ChunkStore, dense: DenseIndex):
        self.directory = directory
        self.generation = generation
        self.manifest = manifest
        self.store = store
        self.dense = dense

    @staticmethod
    def exists(directory: Path) -> bool:
        return (directory / CURRENT_FILE).is_file()

    @classmethod
    def open(cls, directory: str | Path) -> Index:
        directory = Path(directory)
        name = current_generation(directory)
        if name is None:
            raise IndexUnavailableError(f"no index at {directory}; build one with `newsdesk index`")
        generation = directory / name
        try:
            manifest = Manifest.from_json((generation / MANIFEST_FILE).read_text(encoding="utf-8"), directory)
            store = ChunkStore(generation / CHUNKS_FILE, read_only=True)
            dense = DenseIndex.load(generation / DENSE_FILE, manifest.settings.dense_kind)
        except (OSError, ValueError, KeyError, RuntimeError, sqlite3.Error) as error:
            if isinstance(error, StaleIndexError):
                raise
            raise IndexUnavailableError(
                f"the index at {directory} is damaged ({error}); rebuild it with `newsdesk index --rebuild`"
            ) from error
        return cls(directory, generation, manifest, store, dense)

    def close(self) -> None:
        self.store.close()

    def is_current(self) -> bool:
        """Whether this is still the live generation (another process may have published a newer
        one, and removed this one's files)."""
        return current_generation(self.directory) == self.generation.name

    @property
    def chunk_count(self) -> int:
        return len(self.dense)

    def article_ids(self) -> set[str]:
        """The ids of every article the index knows (duplicates included)."""
        return set(self.manifest.articles)

    def list_articles(self) -> list[dict]:
        """Every indexed article's id, title, date, source, url and file, newest first."""
        return self.store.list_articles()

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    @property
    def article_count(self) -> int:
        return len(self.manifest.articles)


def current_generation(directory: Path) -> str | None:
    """The name of the live generation, or None when there is no index."""
    try:
        return (directory / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


@contextlib.contextmanager
def _writer_lock(directory: Path, articles_dir: Path) -> Iterator[None]:
    """One writer at a time. A second one says whom it waits for (the lock file names the holder:
    process id, articles folder, start time), then waits."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole update
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {directory}: {error.strerror or error}") from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            log.warning("waiting for the index at %s: it is being updated by %s", directory, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} (articles {articles_dir}, since {time.strftime('%H:%M:%S')})")
        handle.flush()
        yield


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _canonical_ids(articles: Sequence[Article]) -> dict[str, str | None]:
    """For each article, the id of the article with the same text that is indexed in its place."""
    first_by_text: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.id):
        first_by_text.setdefault(article.text_hash, article.id)
    return {a.id: (None if first_by_text[a.text_hash] == a.id else first_by_text[a.text_hash]) for a in articles}


def bound_folder(articles_dir: Path, index_dir: Path) -> str:
    """How a manifest names its articles folder: relative to the index folder, so that a project
    moved as a whole keeps its binding."""
    return os.path.relpath(Path(articles_dir).resolve(), Path(index_dir).resolve())


def sync_index(
    articles_dir: str | Path,
    index_dir: str | Path,
    chunker: Chunker,
    embedder: Embedder,
    dense_kind: str | None = None,
    rebuild: bool = False,
    progress: bool = False,
    follow_links: bool = False,
    on_progress: ProgressCallback | None = None,
) -> SyncReport:
    """Bring the index in line with the articles folder: embed only added or changed articles,
    drop removed ones, index duplicates once. Settings that differ from the index's force a rebuild;
    ``dense_kind`` None keeps the index's own kind (flat for a new index). An index mirrors one
    articles folder: syncing it from another refuses (it would drop the first folder's articles)
    unless ``rebuild``."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    articles_dir = Path(articles_dir)
    binding = bound_folder(articles_dir, index_dir)
    with _writer_lock(index_dir, articles_dir):
        # Read inside the lock: a writer that waited must see what the one before it added.
        reading = read_articles(articles_dir, follow_links=follow_links)
        previous: Index | None = None
        rebuilt = "requested" if rebuild else ""
        if not rebuild and Index.exists(index_dir):
            try:
                previous = Index.open(index_dir)
            except IndexUnavailableError as error:
                rebuilt = str(error).split(";")[0]
        if previous is not None and previous.manifest.articles_dir not in ("", binding):
            bound = (index_dir / previous.manifest.articles_dir).resolve()
            previous.close()
            raise IndexUnavailableError(
                f"the index at {index_dir} holds the articles of {bound}, not {articles_dir}; syncing it would "
                f"remove them. Use another index folder (--index), or `newsdesk index --rebuild` to rebuild it "
                f"from {articles_dir}"
            )
        if dense_kind is None:
            dense_kind = previous.manifest.settings.dense_kind if previous else "flat"
        settings = IndexSettings.of(embedder, chunker, dense_kind)
        if previous is not None and previous.manifest.settings != settings:
            rebuilt = "settings changed: " + previous.manifest.settings.describe_change(settings)
            previous.close()
            previous = None
        old_articles = previous.manifest.articles if previous else {}
        duplicate_of = _canonical_ids(reading.articles)
        wanted = {a.id: {"hash": a.content_hash, "duplicate_of": duplicate_of[a.id]} for a in reading.articles}

        added = [i for i in wanted if i not in old_articles]
        removed = [i for i in old_articles if i not in wanted]
        updated = [i for i in wanted if i in old_articles and old_articles[i]["hash"] != wanted[i]["hash"]]
        unchanged = len(wanted) - len(added) - len(updated)
        # Indexed (canonical) articles whose chunks must go, and those to (re)embed.
        was_indexed = {i for i, entry in old_articles.items() if entry["duplicate_of"] is None}
        to_index = {i for i, entry in wanted.items() if entry["duplicate_of"] is None}
        drop = {i for i in was_indexed if i not in to_index or i in updated}
        embed = [a for a in reading.articles if a.id in to_index and (a.id not in was_indexed or a.id in updated)]
        if previous is not None and not (drop or embed) and wanted == old_articles and previous.manifest.articles_dir:
            previous.close()
            return SyncReport(
                0, 0, 0, unchanged, _count_duplicates(wanted), 0, "", reading.problems, time.perf_counter() - started
            )

        generation = _new_generation(index_dir)
        try:
            store_path = generation / CHUNKS_FILE
            if previous is not None:
                with sqlite3.connect(store_path) as target:
                    previous.store.db.backup(target)
                target.close()
                dense = previous.dense
                previous.close()
            else:
                dense = DenseIndex.create(dense_kind, settings.dimension)
            store = ChunkStore(store_path)
            with store.db:
                removed_ids: list[int] = []
                for article_id in drop:
                    removed_ids.extend(store.delete_article(article_id))
                dense.remove(removed_ids)
                chunks_embedded = _embed_articles(
                    embed, store, dense, chunker, embedder, dense_kind, progress, on_progress
                )
            store.close()
            dense.save(generation / DENSE_FILE)
            manifest = Manifest(FORMAT_VERSION, settings, wanted, time.time(), binding)
            (generation / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
            for name in (CHUNKS_FILE, DENSE_FILE, MANIFEST_FILE):
                with open(generation / name, "rb") as handle:
                    os.fsync(handle.fileno())
            _publish(index_dir, generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return SyncReport(
            added=len(added),
            updated=len(updated),
            removed=len(removed),
            unchanged=unchanged,
            duplicates=_count_duplicates(wanted),
            chunks_embedded=chunks_embedded,
            rebuilt=rebuilt,
            problems=reading.problems,
            seconds=time.perf_counter() - started,
        )


def _count_duplicates(wanted: dict[str, dict]) -> int:
    return sum(1 for entry in wanted.values() if entry["duplicate_of"] is not None)


def _embed_articles(
    articles: Sequence[Article],
    store: ChunkStore,
    dense: DenseIndex,
    chunker: Chunker,
    embedder: Embedder,
    dense_kind: str,
    progress: bool,
    on_progress: ProgressCallback | None = None,
) -> int:
    chunks_by_article = [(article, chunker.split(article)) for article in articles]
    texts = [chunk.text for _, chunks in chunks_by_article for chunk in chunks]
    if not texts:
        return 0
    if on_progress is None:
        vectors = embedder.embed(texts, progress=progress)
    else:
        # In steps, so that a chat can show how far it got (a 5 MB upload is ~7,000 chunks).
        parts = []
        for begin in range(0, len(texts), PROGRESS_STEP):
            on_progress(begin, len(texts), len(articles))
            parts.append(embedder.embed(texts[begin : begin + PROGRESS_STEP]))
        on_progress(len(texts), len(texts), len(articles))
        vectors = np.vstack(parts)
    if dense_kind == "ivf" and len(dense) == 0:
        # Inverted lists are trained on the data they will hold.
        dense.index = DenseIndex.create("ivf", dense.dimension, training=vectors).index
    next_id = store.next_chunk_id()
    ids: list[int] = []
    for article, chunks in chunks_by_article:
        ids.extend(store.put_article(article, chunks, next_id + len(ids)))
    dense.add(np.asarray(ids, np.int64), vectors)
    return len(texts)


def _new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    generation = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    try:
        generation.mkdir()
    except OSError as error:
        raise IndexUnavailableError(f"cannot write the index at {index_dir}: {error.strerror or error}") from error
    return generation


def _publish(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation`` atomically, then remove the generations it replaced."""
    pointer = index_dir / (CURRENT_FILE + ".tmp")
    pointer.write_text(generation.name + "\n", encoding="utf-8")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)
    for old in index_dir.glob("gen-*"):
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)


def index_is_stale(
    articles_dir: str | Path, index_dir: str | Path, chunker: Chunker, embedder: Embedder, follow_links: bool = False
) -> bool:
    """Whether the articles folder differs from what the index holds (or the index is missing or
    built with other settings)."""
    index_dir = Path(index_dir)
    if not Index.exists(index_dir):
        return True
    try:
        index = Index.open(index_dir)
    except IndexUnavailableError:
        return True
    try:
        settings = index.manifest.settings
        if (settings.embedding_model, settings.embedding, settings.chunking) != (
            embedder.name,
            embedder.settings,
            chunker.settings,
        ):
            return True
        hashes = {a.id: a.content_hash for a in read_articles(articles_dir, follow_links=follow_links).articles}
        return hashes != {i: entry["hash"] for i, entry in index.manifest.articles.items()}
    finally:
        index.close()
