"""The index: chunk vectors in immutable FAISS segments, BM25 in Tantivy, and one SQLite chunk store
(articles, chunks with character offsets, the index's bookkeeping) changed in place.

Layout of an index folder::

    index/
      CURRENT             the name of the live generation, replaced atomically by a rebuild
      gen-000007/
        manifest.json     format version, embedding model and dimension, chunking and dense-index
                          settings, the articles folder it mirrors (written once)
        chunks.sqlite     articles, chunks, the article table, file stats, live segments,
                          tombstones; its transaction commit is the index's commit point
        bm25/             Tantivy's files (BM25 over titles and chunk texts)
        segments/seg-000042/   ids.npy, vectors.npy (float16), ivfpq.faiss (large segments)
        codec-<n>.faiss   trained IVF-PQ quantizers, when a segment is large enough to use them

A sync commits in place (`sync`): new segments, tombstones for deleted chunks, merges (`merge`).
A rebuild writes a new generation and publishes it by replacing ``CURRENT``. Either way a kill at any
moment leaves the last commit loadable. Open formats only: FAISS's own files, NumPy's .npy, Tantivy's
(Lucene-like) files, SQLite and JSON.
"""

from qa.index.dense import DENSE_KINDS, DenseIndex, DenseSettings, Segment
from qa.index.distributed import RayOptions, RayUnavailableError
from qa.index.errors import IndexUnavailableError, StaleIndexError
from qa.index.lexical import LexicalIndex, content_words, quoted_phrases
from qa.index.manifest import FORMAT_VERSION, MANIFEST_FILE, IndexSettings, Manifest, read_manifest
from qa.index.searcher import (
    CHUNKS_FILE,
    CURRENT_FILE,
    SEGMENTS_DIR,
    Index,
    current_generation,
    live_settings,
)
from qa.index.store import ChunkStore
from qa.index.sync import (
    BATCH_CHUNKS,
    ProgressCallback,
    SyncProgress,
    SyncReport,
    bound_folder,
    index_is_stale,
    sync_index,
)

__all__ = [
    "BATCH_CHUNKS",
    "CHUNKS_FILE",
    "CURRENT_FILE",
    "DENSE_KINDS",
    "FORMAT_VERSION",
    "MANIFEST_FILE",
    "SEGMENTS_DIR",
    "ChunkStore",
    "DenseIndex",
    "DenseSettings",
    "Index",
    "IndexSettings",
    "IndexUnavailableError",
    "LexicalIndex",
    "Manifest",
    "ProgressCallback",
    "RayOptions",
    "RayUnavailableError",
    "Segment",
    "StaleIndexError",
    "SyncProgress",
    "SyncReport",
    "bound_folder",
    "content_words",
    "current_generation",
    "index_is_stale",
    "live_settings",
    "quoted_phrases",
    "read_manifest",
    "sync_index",
]
