"""Embedding throughput and agreement per precision (fp32, bf16 autocast), on news chunks.

    python bench/embedding.py

Chunks the first 60 articles of ../shared/data/news/news.jsonl as the index does, embeds them
once to warm up, then times each precision and compares its vectors with fp32's (cosine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import NEWS, table
from qa.articles import read_articles
from qa.chunking import Chunker
from qa.embedding import Embedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=60)
    args = parser.parse_args()
    source = NEWS / "news.jsonl"
    if not source.exists():
        sys.exit(f"needs {source} (the read-only ../shared data)")
    articles = read_articles(source).articles[: args.articles]
    texts = [chunk.text for article in articles for chunk in Chunker().split(article)]
    embedder = Embedder(precision="fp32")
    embedder.warm_up()
    tokenizer = embedder._encoder.tokenizer
    tokens = sum(min(len(tokenizer(text)["input_ids"]), 256) for text in texts)
    reference = None
    rows = []
    for precision in ("fp32", "bf16"):
        embedder.precision = precision
        embedder.embed(texts[:64])
        started = time.perf_counter()
        vectors = embedder.embed(texts)
        seconds = time.perf_counter() - started
        reference = vectors if reference is None else reference
        cosine = (vectors * reference).sum(axis=1)
        rows.append(
            [
                precision,
                len(texts),
                len(texts) / seconds,
                f"{tokens / seconds:,.0f}",
                f"{float(np.min(cosine)):.5f}",
                f"{float(np.mean(cosine)):.5f}",
            ]
        )
    print(table(["precision", "chunks", "chunks/s", "tokens/s", "min cosine to fp32", "mean cosine"], rows))


if __name__ == "__main__":
    main()
