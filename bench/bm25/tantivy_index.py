"""Tantivy variants, its updates, reopening and what a killed writer leaves behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.bm25.corpus import ROOT, TOP_K, Corpus, dir_mb, rarest
from qa.index import content_words
from qa.words import STOPWORDS


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
        [sys.executable, "-m", "bench.bm25", "--child", mode, str(path), extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
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
