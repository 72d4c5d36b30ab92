"""Index build throughput, and the time to add one article to a built index.

    python bench/build.py --corpus news     # the seed + 336 articles
    python bench/build.py --corpus all      # all 5,884 articles

Builds the corpus's index from scratch, then adds one article (a JSON file written for the purpose)
with the models already loaded, as in the running app, and removes it again.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import stage, table
from qa.chunking import Chunker
from qa.embedding import PRECISIONS, Embedder
from qa.index import Index, sync_index

EXTRA = {
    "id": "bench-extra-article",
    "title": "Harbour bridge reopens",
    "date": "2024-06-01",
    "text": "The harbour bridge reopened to traffic on Saturday after repairs that took eight months. "
    "Engineers replaced 40 steel cables and the deck surface. The city council said the work cost "
    "twelve million dollars, two million more than planned. Buses will use the bridge from Monday.",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("news", "all"), default="news")
    parser.add_argument("--precision", choices=PRECISIONS, default=Embedder.precision, help="embedding precision")
    parser.add_argument(
        "--max-tokens", type=int, default=Embedder.max_tokens, help="word pieces embedded per chunk (0: the model's)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="add/remove cycles to time")
    args = parser.parse_args()
    articles, index_dir = stage(args.corpus)
    shutil.rmtree(index_dir, ignore_errors=True)
    embedder = Embedder(precision=args.precision, max_tokens=args.max_tokens or None)
    embedder.warm_up()
    report = sync_index(articles, index_dir, Chunker(), embedder, follow_links=True)
    index = Index.open(index_dir)
    characters = index.characters()
    chunks = index.chunk_count
    index.close()

    extra_folder = articles / "bench-extra"
    extra_folder.mkdir(exist_ok=True)
    add_times, remove_times = [], []
    for _ in range(args.repeats):
        (extra_folder / "extra.json").write_text(json.dumps(EXTRA))
        started = time.perf_counter()
        added = sync_index(articles, index_dir, Chunker(), embedder, follow_links=True)
        add_times.append(time.perf_counter() - started)
        assert added.added == 1, added
        (extra_folder / "extra.json").unlink()
        started = time.perf_counter()
        removed = sync_index(articles, index_dir, Chunker(), embedder, follow_links=True)
        remove_times.append(time.perf_counter() - started)
        assert removed.removed == 1, removed
    shutil.rmtree(extra_folder)

    print(
        table(
            [
                "corpus",
                "articles",
                "chunks",
                "build s",
                "chunks/s",
                "chars/s",
                "add one s (median)",
                "remove one s (median)",
            ],
            [
                [
                    args.corpus,
                    report.added,
                    chunks,
                    report.seconds,
                    chunks / report.seconds,
                    f"{characters / report.seconds:,.0f}",
                    f"{sorted(add_times)[len(add_times) // 2]:.2f}",
                    f"{sorted(remove_times)[len(remove_times) // 2]:.2f}",
                ]
            ],
        )
    )
    print(f"\nembedding {embedder.name} {embedder.settings}; chunking {Chunker().settings}")


if __name__ == "__main__":
    main()
