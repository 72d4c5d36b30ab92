"""One peer system (Haystack or txtai) answering the news questions; run by bench/peers.py.

    runs/peers-venv/bin/python bench/peer_runner.py haystack runs/peers/input.json runs/peers/haystack.json

This file runs in the peers' own virtualenv (see bench/peers.py for the command that makes it) and
imports nothing from Newsdesk: it reads the passages, questions and model folders that
bench/peers.py wrote to the input JSON, builds the peer's index over those passages, answers one
warm-up question untimed, then every question timed, and writes the raw answers (text, whether it
answered, the cited article, seconds) and the build time as JSON. Scoring is bench/peers.py's,
with Newsdesk's SQuAD code, so that all systems are scored by the same lines.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

# (question) -> (answer text, answered?, cited article id, best candidate even when withheld)
Answerer = Callable[[str], tuple[str, bool, str, str]]
# A peer set up: how to answer, and the seconds its index took to build.
Built = tuple[Answerer, float]


def build_haystack(spec: dict[str, Any]) -> Built:
    """Haystack 3: InMemoryDocumentStore with BM25 and sentence-transformers embeddings, a query
    pipeline of BM25 + embedding retrievers fused by reciprocal rank fusion, and the extractive
    reader over the top passages."""
    from haystack import Document, Pipeline
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
        SentenceTransformersTextEmbedder,
    )
    from haystack_integrations.components.readers.transformers import TransformersExtractiveReader

    started = time.perf_counter()
    embedding_model = spec["embedding_model"]
    # The model's Normalize module already gives unit vectors; asked for anyway so that dot
    # product is cosine, as in Newsdesk.
    embedder_options = {"model": embedding_model, "local_files_only": True, "normalize_embeddings": True}
    store = InMemoryDocumentStore(embedding_similarity_function="dot_product")
    documents = [
        Document(id=str(p["id"]), content=p["text"], meta={"article_id": p["article_id"], "title": p["title"]})
        for p in spec["passages"]
    ]
    indexer = SentenceTransformersDocumentEmbedder(**embedder_options, progress_bar=False)
    indexer.warm_up()
    store.write_documents(indexer.run(documents=documents)["documents"])
    build_seconds = time.perf_counter() - started

    candidates, top_k = spec["candidates"], spec["top_k"]
    pipeline = Pipeline()
    pipeline.add_component("embedder", SentenceTransformersTextEmbedder(**embedder_options, progress_bar=False))
    pipeline.add_component("dense", InMemoryEmbeddingRetriever(document_store=store, top_k=candidates))
    pipeline.add_component("bm25", InMemoryBM25Retriever(document_store=store, top_k=candidates))
    pipeline.add_component("fusion", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=top_k))
    # The reader reads in the windows its weights were trained on and Newsdesk reads in (256
    # tokens, stride 96); everything else, no-answer included, is Haystack's default.
    reader = TransformersExtractiveReader(
        model=spec["reader_model"], max_seq_length=spec["reader_max_length"], stride=spec["reader_stride"]
    )
    pipeline.add_component("reader", reader)
    pipeline.connect("embedder.embedding", "dense.query_embedding")
    pipeline.connect("dense.documents", "fusion.documents")
    pipeline.connect("bm25.documents", "fusion.documents")
    pipeline.connect("fusion.documents", "reader.documents")
    pipeline.warm_up()

    def answer(question: str) -> tuple[str, bool, str, str]:
        result = pipeline.run(
            {"embedder": {"text": question}, "bm25": {"query": question}, "reader": {"query": question}}
        )
        answers = result["reader"]["answers"]  # best first; data None is the reader's "no answer"
        spans = [a for a in answers if a.data]
        candidate = spans[0].data if spans else ""
        if not answers or answers[0].data is None:
            return "", False, "", candidate
        best = answers[0]
        return best.data, True, best.document.meta["article_id"] if best.document else "", candidate

    return answer, build_seconds


def build_txtai(spec: dict[str, Any]) -> Built:
    """txtai 9: a hybrid (BM25 + dense) Embeddings index with content, and its Extractor (the RAG
    pipeline with an extractive QA model) over the top passages, citing by its "reference" output."""
    from txtai import Embeddings
    from txtai.pipeline import Extractor

    started = time.perf_counter()
    embeddings = Embeddings(path=spec["embedding_model"], method="sentence-transformers", hybrid=True, content=True)
    embeddings.index(
        {"id": str(p["id"]), "text": p["text"], "article_id": p["article_id"], "title": p["title"]}
        for p in spec["passages"]
    )
    build_seconds = time.perf_counter() - started
    article_of = {str(p["id"]): p["article_id"] for p in spec["passages"]}
    extractor = Extractor(embeddings, spec["reader_model"], gpu=False, context=spec["top_k"], output="reference")
    # txtai's extractive QA (`Questions`) takes start and end by argmax and raises a TypeError
    # when either is a special token: [CLS], where this reader (trained with unanswerable
    # windows, SQuAD 2.0 style) puts "no answer". Read that as no answer instead of crashing; every
    # other span goes through txtai's own code unchanged.
    questions_pipeline = extractor.model
    extract = questions_pipeline.answer

    def span_or_none(context: str, tokens: Any, start: Any, end: Any) -> str | None:
        if tokens.token_to_word(start) is None or tokens.token_to_word(end) is None:
            return None
        return extract(context, tokens, start, end)

    questions_pipeline.answer = span_or_none

    def answer(question: str) -> tuple[str, bool, str, str]:
        result = extractor(question)
        text = result.get("answer") or ""  # None: the best span scored under txtai's 0.05 floor
        reference = result.get("reference")
        return text, bool(text), article_of.get(str(reference), "") if text else "", text

    return answer, build_seconds


BUILDERS: dict[str, tuple[Callable[[dict[str, Any]], Built], str]] = {
    "haystack": (build_haystack, "Haystack"),
    "txtai": (build_txtai, "txtai"),
}
PACKAGES = {
    "haystack": ["haystack-ai", "transformers-haystack", "sentence-transformers-haystack"],
    "txtai": ["txtai"],
}


def main() -> None:
    peer, source, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    spec = json.loads(source.read_text(encoding="utf-8"))
    builder, name = BUILDERS[peer]
    # Build time: from passages in memory to an index ready to search (embedding model loaded,
    # passages embedded and BM25-indexed), without loading the reader, as Newsdesk's is timed.
    answer, build_seconds = builder(spec)
    questions = spec["questions"]
    answer(questions[0]["question"])  # the warm-up: first calls pay one-off costs, not timed
    records = []
    for question in questions:
        began = time.perf_counter()
        text, found, article, candidate = answer(question["question"])
        seconds = time.perf_counter() - began
        records.append(
            {
                "id": question["id"],
                "answer": text,
                "found": found,
                "article": article,
                "candidate": candidate,
                "seconds": seconds,
            }
        )
    import torch

    versions = {package: version(package) for package in [*PACKAGES[peer], "transformers", "sentence-transformers"]}
    result = {
        "system": name,
        "version": f"{PACKAGES[peer][0]} {versions[PACKAGES[peer][0]]}",
        "versions": {**versions, "torch": torch.__version__},
        "numerics": f"fp32 (PyTorch {torch.__version__}, {torch.backends.cpu.get_cpu_capability()})",
        "build_seconds": build_seconds,
        "answers": records,
    }
    target.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
