"""Embedding throughput and agreement per precision (fp32, bf16 autocast, int8 ONNX), on news chunks.

    python bench/embedding.py

Chunks the first 60 articles of ../shared/data/news/news.jsonl as the index does, then for each
limit on word pieces read per chunk (the model's own 256, and the default 128) times each precision
and compares its vectors with fp32's at the same limit (cosine).
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
from qa.embedding import PRECISIONS, Embedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=60)
    args = parser.parse_args()
    source = NEWS / "news.jsonl"
    if not source.exists():
        sys.exit(f"needs {source} (the read-only ../shared data)")
    articles = read_articles(source).articles[: args.articles]
    texts = [chunk.text for article in articles for chunk in Chunker().split(article)]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(Embedder().location)
    rows = []
    for max_tokens in (256, 128):
        tokens = sum(len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_tokens)["input_ids"])
        reference = None
        for precision in PRECISIONS[::-1]:  # fp32 first: the reference
            embedder = Embedder(precision=precision, max_tokens=max_tokens)
            embedder.embed(texts[:64])
            started = time.perf_counter()
            vectors = embedder.embed(texts)
            seconds = time.perf_counter() - started
            reference = vectors if reference is None else reference
            cosine = (vectors * reference).sum(axis=1)
            rows.append(
                [
                    max_tokens,
                    precision,
                    len(texts),
                    len(texts) / seconds,
                    f"{tokens / seconds:,.0f}",
                    f"{float(np.min(cosine)):.5f}",
                    f"{float(np.mean(cosine)):.5f}",
                ]
            )
    headers = ["max tokens", "precision", "chunks", "chunks/s", "tokens/s", "min cosine to fp32", "mean cosine"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
