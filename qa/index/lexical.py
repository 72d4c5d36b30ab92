"""BM25 over chunk titles and texts, in Tantivy (Lucene's design in Rust: segments, deletes,
memory-mapped files, block-max WAND).

Measured by bench/bm25 (python -m bench.bm25) on 502,142 chunks, 192 news questions, k=20, this 2-core machine:
SQLite FTS5 took 223 ms per question at p50 (590 ms p95) and FTS5's native rank was slower still;
keeping only the 4 rarest terms brought FTS5 to 19 ms but lost 3% of the gold articles from the top
20. Tantivy takes 1.8 ms (4.5 ms p95) with the same gold-article hit rate, on a fifth of the disk.

The chunk store's commit stays the index's one commit point. Tantivy commits right after it, with a
marker document that records which store commit it reflects; a kill between the two leaves Tantivy
one commit behind (BM25 misses the newest batch, which dense search still finds) until the next
writer sees the mismatch and rebuilds this index from the store.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import tantivy

from qa.words import STOPWORDS, WORD

TOKENIZER = "news"
MARKER_ID = -1  # the document that says which chunk-store commit this index reflects
MAX_QUERY_TERMS = 64
TITLE_BOOST = 0.5  # a title word counts half a text word (as FTS5's bm25(0.5, 1.0) did)
WRITER_HEAP = 64_000_000  # bytes Tantivy buffers before it writes a segment


def content_words(question: str) -> list[str]:
    """The words of a question worth searching for: lowercased, stopwords out, each once.

    >>> content_words("Who won the World Cup in 2018, and who won the final?")
    ['won', 'world', 'cup', '2018', 'final']
    """
    words = [w for w in WORD.findall(question.lower()) if w not in STOPWORDS]
    return list(dict.fromkeys(words))[:MAX_QUERY_TERMS]


# A quotation in a question ("Who said "We couldn't win"?") is searched as a phrase as well as word
# by word, this many times a word's weight: its words alone ("couldn't", "win") drew match reports
# and missed the one passage that holds the quotation.
PHRASE_BOOST = 5.0
_QUOTED = re.compile(r'["“”]([^"“”]+)["“”]|(?<![\w])[‘\']([^‘’\']+(?:\w[’\']\w[^‘’\']*)*)[’\'](?![\w])')


def quoted_phrases(question: str) -> list[str]:
    """The quotations of two words or more in ``question``, as written.

    >>> quoted_phrases("Who said “We couldn’t win” after the game?")
    ['We couldn’t win']
    >>> quoted_phrases("Who tweeted “Deeply saddened”? Who said 'not now'?"), quoted_phrases('Who said "no"?')
    (['Deeply saddened', 'not now'], [])
    """
    phrases = [next(group for group in match.groups() if group) for match in _QUOTED.finditer(question)]
    return [phrase.strip() for phrase in phrases if len(WORD.findall(phrase)) >= 2]


def _analyzer() -> tantivy.TextAnalyzer:
    # Words, lowercased, accents folded ("Pokémon" finds "Pokemon"), English stems.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=False, tokenizer_name=TOKENIZER)
    builder.add_text_field("text", stored=False, tokenizer_name=TOKENIZER)
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    builder.add_integer_field("commit", stored=False, indexed=False, fast=True)
    return builder.build()


class LexicalIndex:
    """The BM25 index of one generation (a folder of Tantivy files)."""

    def __init__(self, index: tantivy.Index) -> None:
        self._index = index
        self._index.register_tokenizer(TOKENIZER, _analyzer())
        self._analyzer = _analyzer()
        self._schema = index.schema

    @classmethod
    def open(cls, folder: Path, create: bool = False) -> LexicalIndex:
        """Open the index in ``folder`` (``create``: make an empty one if there is none). Raises
        ValueError or OSError when the folder holds no readable index."""
        exists = folder.is_dir() and tantivy.Index.exists(str(folder))
        if create and not exists:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            return cls(tantivy.Index(_schema(), path=str(folder), reuse=False))
        if not exists:
            raise OSError(f"no BM25 index in {folder}")
        return cls(tantivy.Index.open(str(folder)))

    def reflects(self) -> int:
        """The chunk-store commit this index was last committed with (0: none)."""
        searcher = self._index.searcher()
        query = tantivy.Query.term_query(self._schema, "id", MARKER_ID)
        hits = searcher.search(query, limit=1, count=False).hits
        if not hits:
            return 0
        return int(searcher.fast_field_values("commit", [hits[0][1]])[0])

    def search(self, question: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the ``k`` best chunks, best first; ``allowed`` limits the
        search to those chunk ids."""
        query = self._query(content_words(question), quoted_phrases(question))
        if query is None or k <= 0:
            return []
        if allowed is not None:
            if not len(allowed):
                return []
            # A must-match clause that adds nothing to the score: a filter.
            only = tantivy.Query.const_score_query(
                tantivy.Query.term_set_query(self._schema, "id", [int(i) for i in allowed]), 0.0
            )
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])
        searcher = self._index.searcher()
        # count=False: counting every match would turn off block-max WAND, which skips the blocks
        # that cannot reach the top k.
        hits = searcher.search(query, limit=k, count=False).hits
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        return [(int(i), float(score)) for (score, _), i in zip(hits, ids, strict=True)]

    def _query(self, words: Sequence[str], phrases: Sequence[str] = ()) -> tantivy.Query | None:
        should = tantivy.Occur.Should
        clauses = []
        for token in dict.fromkeys(t for word in words for t in self._analyzer.analyze(word)):
            title = tantivy.Query.term_query(self._schema, "title", token, index_option="freq")
            clauses.append((should, tantivy.Query.boost_query(title, TITLE_BOOST)))
            clauses.append((should, tantivy.Query.term_query(self._schema, "text", token, index_option="freq")))
        for phrase in phrases:
            tokens = self._analyzer.analyze(phrase)
            if len(tokens) >= 2:
                exact = tantivy.Query.phrase_query(self._schema, "text", tokens)
                clauses.append((should, tantivy.Query.boost_query(exact, PHRASE_BOOST)))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def writer(self) -> LexicalWriter:
        return LexicalWriter(self._index.writer(heap_size=WRITER_HEAP, num_threads=1))

    def reload(self) -> None:
        self._index.reload()

    def count(self) -> int:
        """Chunks indexed (the marker not counted)."""
        return int(self._index.searcher().num_docs) - (1 if self.reflects() else 0)


class LexicalWriter:
    """Adds and deletes chunks; nothing is visible until `commit`."""

    def __init__(self, writer: tantivy.IndexWriter) -> None:
        self._writer = writer

    def add(self, chunks: Iterable[tuple[int, str, str]]) -> None:
        """Add (chunk id, article title, chunk text) triples."""
        for chunk_id, title, text in chunks:
            document = tantivy.Document()
            document.add_integer("id", chunk_id)
            document.add_text("title", title)
            document.add_text("text", text)
            self._writer.add_document(document)

    def delete(self, chunk_ids: Iterable[int]) -> None:
        for chunk_id in chunk_ids:
            self._writer.delete_documents_by_term("id", int(chunk_id))

    def clear(self) -> None:
        self._writer.delete_all_documents()

    def commit(self, store_commit: int) -> None:
        """Make the changes durable and visible, marked as reflecting ``store_commit``."""
        self._writer.delete_documents_by_term("id", MARKER_ID)
        marker = tantivy.Document()
        marker.add_integer("id", MARKER_ID)
        marker.add_integer("commit", store_commit)
        self._writer.add_document(marker)
        self._writer.commit()

    def close(self) -> None:
        """Wait for Tantivy's background merges and remove the files they replaced."""
        self._writer.garbage_collect_files()
        self._writer.wait_merging_threads()
