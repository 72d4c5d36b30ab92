"""BM25 at scale: SQLite FTS5 (today's query, its native rank, fewer query terms) against Tantivy.

    .venv/bin/python -m bench.bm25                                  # 500,000 synthetic chunks
    .venv/bin/python -m bench.bm25 --chunks 100000 --questions 50
    .venv/bin/python -m bench.bm25 --variants fts5-today fts5-rank tantivy

The corpus is ``--chunks`` synthetic chunks of about 800 characters, each made of sentences drawn
(seeded) from ../shared/data/news/news.jsonl and news_more_tosca.jsonl under the title of a
random real article, plus the real articles of news.jsonl (and seeds/) cut into chunks the same
naive way (consecutive sentences up to 800 characters), spread through the id range, so that the
questions of ../shared/data/newsqa/dev.jsonl have their gold article in the corpus. The corpus is
generated in batches and never held whole; build times count only the indexing calls.

Variants (each index is built once under runs/bench/bm25/, deleted at the end unless --keep):

- fts5-today: the FTS5 table Newsdesk used before Tantivy, a copy of its query builder and SQL.
- fts5-rank: the same table with the ``rank`` config set to ``bm25(0.5, 1.0)``, ``ORDER BY rank``.
- fts5-rare4 / fts5-rare6: today's SQL over only the 4 / 6 query words of lowest document
  frequency (from an ``fts5vocab`` 'row' table; query words tokenized by a scratch FTS5 table).
  Today's SQL, not ``ORDER BY rank``: FTS5's rank sorter is the slower of the two (see fts5-rank).
- fts5-df1pct: today's SQL without the words in more than 1% of chunks (keeps the 2 rarest).
- fts5-opt-rank / fts5-opt-rare4: the same after FTS5's 'optimize' (its time is added to build).
- tantivy / tantivy-rare4: a Tantivy index (title and text with en_stem, a fast integer id), a
  boolean OR of term queries (title boosted 0.5), top-k by BM25; rare4 keeps the 4 rarest words.
  Also measured: delete by id + commit, add one + commit, reload, reopen in a fresh process (RSS,
  memory maps) and what a process killed before, during and after a commit leaves behind.

Every variant answers every question once after a warm-up of 10; the table gives p50/p95 of the
whole call (query building included), the mean share of fts5-today's top 10 that the variant also
returns in its top 10, and the share of questions with a chunk of their gold article in the top 20.
Timings on a shared machine are noisy: run one benchmark at a time.
"""
