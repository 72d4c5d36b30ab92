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

from qa.index.dense import DENSE_KINDS, DenseIndex
from qa.index.errors import IndexUnavailableError, StaleIndexError
from qa.index.generation import CHUNKS_FILE, CURRENT_FILE, DENSE_FILE, MANIFEST_FILE, Index, current_generation
from qa.index.manifest import FORMAT_VERSION, IndexSettings, Manifest
from qa.index.store import ChunkStore, bm25_query
from qa.index.sync import ProgressCallback, SyncReport, bound_folder, index_is_stale, sync_index

__all__ = [
    "CHUNKS_FILE",
    "CURRENT_FILE",
    "DENSE_FILE",
    "DENSE_KINDS",
    "FORMAT_VERSION",
    "MANIFEST_FILE",
    "ChunkStore",
    "DenseIndex",
    "Index",
    "IndexSettings",
    "IndexUnavailableError",
    "Manifest",
    "ProgressCallback",
    "StaleIndexError",
    "SyncReport",
    "bm25_query",
    "bound_folder",
    "current_generation",
    "index_is_stale",
    "sync_index",
]
