"""BM25 at scale: SQLite FTS5 (today's query, its native rank, fewer query terms) against Tantivy.

    .venv/bin/python bench/bm25.py                                  # 500,000 synthetic chunks
    .venv/bin/python bench/bm25.py --chunks 100000 --questions 50
    .venv/bin/python bench/bm25.py --variants fts5-today fts5-rank tantivy

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

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.chunking import sentence_spans
from qa.index import content_words
from qa.words import STOPWORDS

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news"
SOURCES = [NEWS / "news.jsonl", NEWS / "news_more_tosca.jsonl"]
REAL = NEWS / "news.jsonl"
SEEDS = ROOT / "seeds"
QUESTIONS = ROOT.parent / "shared" / "data" / "newsqa" / "dev.jsonl"
WORK = ROOT / "runs" / "bench" / "bm25"

CHUNK_CHARS = 800
BATCH = 10_000
TOP_K = 20
WARM_UP = 10
FTS_VARIANTS = ["fts5-today", "fts5-rank", "fts5-rare4", "fts5-rare6", "fts5-df1pct"]
FTS_OPT_VARIANTS = ["fts5-opt-rank", "fts5-opt-rare4"]
TANTIVY_VARIANTS = ["tantivy", "tantivy-rare4"]
VARIANTS = FTS_VARIANTS + FTS_OPT_VARIANTS + TANTIVY_VARIANTS
TOKENIZE = "porter unicode61 remove_diacritics 2"


def bm25_query(question: str) -> str:
    """An FTS5 query from free text: the words Newsdesk searches for (`qa.index.content_words`),
    quoted (no FTS syntax gets through), OR-ed."""
    return " OR ".join('"' + word.replace('"', "") + '"' for word in content_words(question))


Batch = list[tuple[int, str, str]]


# --- corpus -----------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def naive_chunks(text: str) -> list[str]:
    """Consecutive sentences packed up to CHUNK_CHARS (a longer sentence is cut), no overlap."""
    chunks: list[str] = []
    current = ""
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        while len(sentence) > CHUNK_CHARS:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(sentence[:CHUNK_CHARS])
            sentence = sentence[CHUNK_CHARS:]
        if current and len(current) + 1 + len(sentence) > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    return chunks


@dataclass
class Corpus:
    """A seeded synthetic corpus plus the real articles; ``batches()`` regenerates it identically."""

    synthetic: int
    seed: int = 13
    sentences: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    real: dict[int, tuple[str, str]] = field(default_factory=dict)  # chunk id -> (title, text)
    article_of: dict[int, str] = field(default_factory=dict)  # real chunk id -> article id
    characters: int = 0

    def __post_init__(self) -> None:
        for path in SOURCES:
            for record in read_jsonl(path):
                self.titles.append(record["title"])
                text = record["text"]
                self.sentences.extend(text[s:e] for s, e in sentence_spans(text) if e - s >= 20)
        real: list[tuple[str, str, str]] = []  # (article id, title, chunk text)
        for record in read_jsonl(REAL):
            real.extend((record["id"], record["title"], chunk) for chunk in naive_chunks(record["text"]))
        for path in sorted(SEEDS.glob("*.txt")):  # the seed article: its id is the file name
            text = path.read_text(encoding="utf-8")
            chunks = naive_chunks(text)
            real.extend((path.stem, chunks[0][:80], chunk) for chunk in chunks)
        rng = random.Random(self.seed)
        ids = sorted(rng.sample(range(1, self.synthetic + len(real) + 1), len(real)))
        for chunk_id, (article_id, title, text) in zip(ids, real, strict=True):
            self.real[chunk_id] = (title, text)
            self.article_of[chunk_id] = article_id

    @property
    def total(self) -> int:
        return self.synthetic + len(self.real)

    def batches(self, size: int = BATCH) -> Iterator[Batch]:
        rng = random.Random(self.seed + 1)
        characters = 0
        batch: Batch = []
        for chunk_id in range(1, self.total + 1):
            if chunk_id in self.real:
                title, text = self.real[chunk_id]
            else:
                title, text = rng.choice(self.titles), self._synthetic_text(rng)
            characters += len(text)
            batch.append((chunk_id, title, text))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
        self.characters = characters

    def _synthetic_text(self, rng: random.Random) -> str:
        parts: list[str] = []
        length = -1
        while True:
            sentence = rng.choice(self.sentences)
            if length + 1 + len(sentence) > CHUNK_CHARS:
                if not parts:
                    parts.append(sentence[:CHUNK_CHARS])
                break
            parts.append(sentence)
            length += 1 + len(sentence)
        return " ".join(parts)


def quoted(words: list[str]) -> str:
    return " OR ".join('"' + word.replace('"', "") + '"' for word in words)


def rarest(words: list[str], df: dict[str, int], total: int, keep: int | None, max_df: float | None) -> list[str]:
    """The words that occur in the corpus, rarest first, cut to ``keep`` or to df <= max_df * total."""
    present = sorted((w for w in words if df.get(w, 0) > 0), key=lambda w: df[w])
    if max_df is not None:
        rare = [w for w in present if df[w] <= max_df * total]
        present = rare if len(rare) >= 2 else present[:2]
    return present[:keep] if keep is not None else present


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# --- FTS5 ------------------------------------------------------------------------------------


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


# --- Tantivy ---------------------------------------------------------------------------------


def tantivy_schema():  # -> tantivy.Schema
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=False, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    return builder.build()


def tantivy_document(chunk_id: int, title: str, text: str):  # -> tantivy.Document
    import tantivy

    doc = tantivy.Document()
    doc.add_integer("id", chunk_id)
    doc.add_text("title", title)
    doc.add_text("text", text)
    return doc


def build_tantivy(path: Path, corpus: Corpus, heap: int, threads: int) -> float:
    import tantivy

    index = tantivy.Index(tantivy_schema(), path=str(path), reuse=False)
    writer = index.writer(heap_size=heap, num_threads=threads)
    spent = 0.0
    for batch in corpus.batches():
        started = time.perf_counter()
        for chunk_id, title, text in batch:
            writer.add_document(tantivy_document(chunk_id, title, text))
        spent += time.perf_counter() - started
        print(f"\r  tantivy: {batch[-1][0]:,} chunks", end="", file=sys.stderr, flush=True)
    started = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()  # consumes the writer; counted in the build
    spent += time.perf_counter() - started
    print(file=sys.stderr)
    return spent


class TantivySearch:
    """A boolean OR of per-field term queries (title boosted 0.5), like the FTS5 query."""

    def __init__(self, path: Path, keep: int | None = None):
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.keep = keep
        # en_stem, rebuilt: simple tokenizer, remove_long(40), lowercase, English stemmer.
        self.analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )

    def close(self) -> None:
        pass

    def query(self, words: list[str], searcher=None):  # -> tantivy.Query | None
        tantivy = self.tantivy
        tokens = [self.analyzer.analyze(word) for word in words]
        if self.keep is not None and searcher is not None:
            pairs = zip(words, tokens, strict=True)
            df = {w: min((searcher.doc_freq("text", t) for t in ts), default=0) for w, ts in pairs}
            chosen = set(rarest(words, df, searcher.num_docs, self.keep, None))
            tokens = [ts for w, ts in zip(words, tokens, strict=True) if w in chosen]
        should = tantivy.Occur.Should
        clauses = []
        for token in (t for ts in tokens for t in ts):
            title = tantivy.Query.term_query(self.schema, "title", token, index_option="freq")
            clauses.append((should, tantivy.Query.boost_query(title, 0.5)))
            clauses.append((should, tantivy.Query.term_query(self.schema, "text", token, index_option="freq")))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def search(self, question: str, k: int) -> list[int]:
        words = content_words(question)
        searcher = self.index.searcher()
        query = self.query(words, searcher)
        if query is None:
            return []
        # count=False: counting every match would switch off block-max WAND pruning.
        hits = searcher.search(query, limit=k, count=False).hits
        return [int(i) for i in searcher.fast_field_values("id", [address for _, address in hits])]


def rss() -> dict[str, int]:
    """VmRSS, RssAnon and RssFile of this process, in MB."""
    values: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            values[key] = int(rest.split()[0]) // 1024
    return values


def tantivy_updates(path: Path, corpus: Corpus, questions: list[dict], heap: int, threads: int) -> dict[str, object]:
    """Deletes, one add, reload: latency and visibility, on the built index."""
    import tantivy

    search = TantivySearch(path)
    index = search.index
    before = index.searcher().num_docs
    victims = search.search(questions[0]["question"], 5)
    writer = index.writer(heap_size=heap, num_threads=threads)
    started = time.perf_counter()
    for chunk_id in victims:
        writer.delete_documents_by_term("id", chunk_id)
    writer.commit()
    delete_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    index.reload()
    reload_ms = (time.perf_counter() - started) * 1000
    after_delete = search.search(questions[0]["question"], TOP_K)
    new_id = corpus.total + 1
    started = time.perf_counter()
    writer.add_document(tantivy_document(new_id, "Zyxwvut test", "A brand new chunk about qwertyuiop."))
    writer.commit()
    add_ms = (time.perf_counter() - started) * 1000
    index.reload()
    found = search.search("qwertyuiop", 5)
    started = time.perf_counter()
    writer.delete_documents_by_term("id", new_id)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    delete_one_ms = (time.perf_counter() - started) * 1000
    segments = index.searcher().num_segments
    return {
        "docs before": before,
        "delete 5 by id + commit ms": round(delete_ms, 1),
        "reload ms": round(reload_ms, 2),
        "deleted ids gone from results": not set(victims) & set(after_delete),
        "docs after deletes": index.searcher().num_docs,
        "add 1 + commit ms": round(add_ms, 1),
        "added doc found after reload": found == [new_id],
        "delete 1 + commit + wait merges + reload ms": round(delete_one_ms, 1),
        "segments": segments,
        "tantivy": tantivy.__version__ if hasattr(tantivy, "__version__") else "?",
    }


def child(mode: str, path: str, extra: str) -> None:
    """Runs in a fresh process: 'open' (reopen cost, RSS, maps) or a crash scenario."""
    import tantivy

    if mode == "open":
        questions = json.loads(extra)
        base = rss()
        started = time.perf_counter()
        search = TantivySearch(Path(path))
        searcher = search.index.searcher()
        open_ms = (time.perf_counter() - started) * 1000
        opened = rss()
        started = time.perf_counter()
        search.search(questions[0], TOP_K)
        first_ms = (time.perf_counter() - started) * 1000
        for question in questions:
            search.search(question, TOP_K)
        queried = rss()
        maps = Path("/proc/self/maps").read_text().splitlines()
        mapped = {line.split()[-1] for line in maps if path in line}
        print(
            json.dumps(
                {
                    "open + searcher ms": round(open_ms, 1),
                    "first query ms": round(first_ms, 1),
                    "RSS MB before open": base,
                    "RSS MB after open": opened,
                    f"RSS MB after {len(questions)} queries": queried,
                    "index files memory-mapped": len(mapped),
                    "num_docs": searcher.num_docs,
                }
            )
        )
        return
    index = tantivy.Index.open(path)
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    count = int(extra.split(":")[0])
    filler = " ".join(random.Random(1).sample(sorted(STOPWORDS), 40) * 4)  # ~800 characters
    for i in range(count):
        writer.add_document(tantivy_document(10_000_000 + i, "zqcrashtest", f"crash test {i} {filler}"))
    if mode == "kill-before-commit":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "kill-during-commit":
        delay = float(extra.split(":")[1])
        threading.Timer(delay, lambda: os.kill(os.getpid(), signal.SIGKILL)).start()
    started = time.perf_counter()
    writer.commit()
    print(f"commit returned after {time.perf_counter() - started:.2f} s", flush=True)
    if mode == "kill-after-commit":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(10)  # kill-during-commit whose timer fires after the commit returned


def run_child(mode: str, path: Path, extra: str) -> str:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), extra], capture_output=True, text=True, timeout=300
    )
    if result.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"child {mode} failed: {result.stderr[-2000:]}")
    return result.stdout.strip() or f"killed before commit returned, exit {result.returncode}"


def tantivy_crash_tests(path: Path) -> list[str]:
    """Kill a writer process before, during and after a commit; the index must still open."""
    import tantivy

    lines = []
    scenarios = [("kill-before-commit", "2000:0"), ("kill-after-commit", "2000:0")]
    scenarios += [("kill-during-commit", f"50000:{d}") for d in (0.05, 0.3, 1.0, 3.0)]
    for mode, extra in scenarios:
        before = tantivy.Index.open(str(path)).searcher().num_docs
        exit_status = run_child(mode, path, extra)
        left_mb = dir_mb(path)
        try:
            index = tantivy.Index.open(str(path))
            after = index.searcher().num_docs
            writer = index.writer(heap_size=50_000_000, num_threads=1)  # the lock is free again?
            writer.delete_documents_by_term("title", "zqcrashtest")
            writer.commit()
            writer.garbage_collect_files()
            writer.wait_merging_threads()
            cleaned = tantivy.Index.open(str(path)).searcher().num_docs
            lines.append(
                f"{mode} ({extra.split(':')[0]} docs, {exit_status}): docs {before:,} -> {after:,} "
                f"(+{after - before:,}); new writer ok; {left_mb:.0f} MB on disk after the kill, "
                f"{dir_mb(path):.0f} MB after delete + commit + garbage_collect_files ({cleaned:,} docs)"
            )
        except Exception as error:  # report, don't hide
            lines.append(f"{mode}: index broken after kill: {error!r}")
    return lines


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Result:
    variant: str
    build_s: float
    index_mb: float
    p50: float
    p95: float
    overlap: float
    hit: float
    results: list[list[int]]


def measure(search: Callable[[str, int], list[int]], questions: list[dict]) -> tuple[list[list[int]], list[float]]:
    for question in questions[:WARM_UP]:
        search(question["question"], TOP_K)
    results, times = [], []
    for question in questions:
        started = time.perf_counter()
        results.append(search(question["question"], TOP_K))
        times.append((time.perf_counter() - started) * 1000)
    return results, times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def score(
    variant: str,
    build_s: float,
    index_mb: float,
    results: list[list[int]],
    times: list[float],
    questions: list[dict],
    corpus: Corpus,
    baseline: list[list[int]] | None,
) -> Result:
    gold = [(q.get("article_id"), r) for q, r in zip(questions, results, strict=True)]
    known = set(corpus.article_of.values())
    hits = [any(corpus.article_of.get(i) == a for i in r) for a, r in gold if a in known]
    overlap = float("nan")
    if baseline is not None:
        shares = [len(set(b[:10]) & set(r[:10])) / len(b[:10]) for b, r in zip(baseline, results, strict=True) if b]
        overlap = statistics.mean(shares) if shares else float("nan")
    return Result(
        variant,
        build_s,
        index_mb,
        percentile(times, 0.5),
        percentile(times, 0.95),
        overlap,
        statistics.mean(hits) if hits else float("nan"),
        results,
    )


def table(rows: list[Result]) -> str:
    headers = ["variant", "build s", "index MB", "p50 ms", "p95 ms", "overlap@10 vs today", "gold-article hit@20"]
    cells = [headers] + [
        [
            r.variant,
            f"{r.build_s:.0f}",
            f"{r.index_mb:.0f}",
            f"{r.p50:.1f}",
            f"{r.p95:.1f}",
            f"{r.overlap:.2f}",
            f"{r.hit:.2f}",
        ]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=500_000, help="synthetic chunks (the real ones come on top)")
    parser.add_argument("--questions", type=int, default=None, help="use only the first N questions")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=VARIANTS)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tantivy-heap", type=int, default=200_000_000, help="writer heap in bytes")
    parser.add_argument("--tantivy-threads", type=int, default=1)
    parser.add_argument("--no-crash-test", action="store_true", help="skip killing tantivy writers")
    parser.add_argument("--keep", action="store_true", help="keep the indexes under runs/bench/bm25/")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    questions = list(read_jsonl(QUESTIONS))[: args.questions]
    started = time.perf_counter()
    corpus = Corpus(args.chunks, args.seed)
    print(
        f"corpus: {args.chunks:,} synthetic + {len(corpus.real):,} real chunks = {corpus.total:,}; "
        f"{len(corpus.sentences):,} sentences, {len(corpus.titles):,} titles; {len(questions)} questions "
        f"({time.perf_counter() - started:.1f} s to load)",
        file=sys.stderr,
    )
    WORK.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{args.chunks}-", dir=WORK))
    wanted = [v for v in VARIANTS if v in args.variants]
    rows: list[Result] = []
    baseline: list[list[int]] | None = None
    notes: list[str] = []
    try:
        fts_path = folder / "chunks_fts.sqlite"
        fts_build = 0.0
        if any(v.startswith("fts5") for v in wanted):
            fts_build = build_fts(fts_path, corpus)
            notes.append(f"corpus text: {corpus.characters / 1e6:.0f} MB (FTS5 size includes a copy of it)")
        if "fts5-today" not in wanted:
            notes.append("fts5-today not run: overlap is against the first variant instead")
        for variant in wanted:
            if variant == "fts5-opt-rank" or (variant == "fts5-opt-rare4" and "fts5-opt-rank" not in wanted):
                optimize_s = optimize_fts(fts_path)
                notes.append(f"FTS5 optimize: {optimize_s:.0f} s (added to the fts5-opt-* build)")
                fts_build += optimize_s
            if variant.startswith("fts5"):
                settings = {
                    "fts5-today": {"rank": False},
                    "fts5-rank": {"rank": True},
                    "fts5-rare4": {"rank": False, "keep": 4},
                    "fts5-rare6": {"rank": False, "keep": 6},
                    "fts5-df1pct": {"rank": False, "max_df": 0.01},
                    "fts5-opt-rank": {"rank": True},
                    "fts5-opt-rare4": {"rank": False, "keep": 4},
                }[variant]
                search: FtsSearch | TantivySearch = FtsSearch(fts_path, corpus.total, **settings)
                build_s, index_mb = fts_build, fts_path.stat().st_size / 1e6
            else:
                tantivy_path = folder / "tantivy"
                if not tantivy_path.exists():
                    tantivy_path.mkdir()
                    tantivy_build = build_tantivy(tantivy_path, corpus, args.tantivy_heap, args.tantivy_threads)
                search = TantivySearch(tantivy_path, keep=4 if variant == "tantivy-rare4" else None)
                build_s, index_mb = tantivy_build, dir_mb(tantivy_path)
            print(f"  measuring {variant}", file=sys.stderr)
            results, times = measure(search.search, questions)
            search.close()
            row = score(variant, build_s, index_mb, results, times, questions, corpus, baseline)
            if baseline is None:
                baseline = results
                row.overlap = 1.0
            rows.append(row)
            print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
        if any(v.startswith("tantivy") for v in wanted):
            tantivy_path = folder / "tantivy"
            sample = json.dumps([q["question"] for q in questions[:50]])
            notes.append("tantivy reopen in a fresh process: " + run_child("open", tantivy_path, sample))
            updates = tantivy_updates(tantivy_path, corpus, questions, args.tantivy_heap, args.tantivy_threads)
            notes.append("tantivy updates: " + json.dumps(updates))
            if not args.no_crash_test:
                notes.extend("tantivy crash: " + line for line in tantivy_crash_tests(tantivy_path))
    finally:
        if args.keep:
            print(f"indexes kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{corpus.total:,} chunks ({args.chunks:,} synthetic), {len(questions)} questions, k={TOP_K}\n")
    print(table(rows))
    print()
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
