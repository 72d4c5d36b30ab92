"""The ``newsdesk`` command line: index, ask, status, serve, eval, train-reader, train-answer-model,
export-reader."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from qa.answers.features import FEATURES
from qa.console import quiet_model_loading, show_progress_logs
from qa.embedding import PRECISIONS, Embedder, EmbedderCacheError
from qa.errors import ReaderModelError, UsageError
from qa.index import DENSE_KINDS, RayOptions, RayUnavailableError
from qa.newsdesk import PROJECT_ROOT
from qa.questions import DEFAULT_TOP_K
from qa.reader import BACKENDS as READER_BACKENDS
from qa.reader import PRECISIONS as READER_PRECISIONS
from qa.render import answer_dict, render_text
from qa.serving import add_answer_arguments, add_folder_arguments, add_serve_arguments, serve
from qa.training_config import TrainingConfig
from qa.unanswerable import SETTINGS as UNANSWERABLE_SETTINGS

if TYPE_CHECKING:
    from qa.evaluate import EndToEndReport, LeaveOutReport, RetrievalReport
    from qa.newsdesk import Newsdesk

SHARED = PROJECT_ROOT.parent / "shared"
DEFAULT_QUESTIONS = SHARED / "data" / "newsqa" / "dev.jsonl"
DEFAULT_EVAL_ARTICLES = (PROJECT_ROOT / "seeds", SHARED / "data" / "news" / "news.jsonl")
MARK = "\033[1m", "\033[0m"


def _common(parser: argparse.ArgumentParser) -> None:
    add_folder_arguments(parser)


def _newsdesk(args: argparse.Namespace, **options: object) -> Newsdesk:
    from qa.newsdesk import Newsdesk

    options.setdefault("min_confidence", getattr(args, "min_confidence", None))
    return Newsdesk(articles_dir=args.articles, index_dir=args.index, follow_links=args.follow_links, **options)  # type: ignore[arg-type]


def stage_articles(sources: Sequence[str | Path], folder: Path) -> Path:
    """One articles folder from several files or folders (symbolic links, no copies); a single
    folder is used as it is."""
    paths = [Path(s).resolve() for s in sources]
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"no articles at {path}")
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0]
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_symlink():
            stale.unlink()
    for number, path in enumerate(paths):
        (folder / f"{number:02d}-{path.name}").symlink_to(path, target_is_directory=path.is_dir())
    return folder


def cmd_index(args: argparse.Namespace) -> int:
    desk = _newsdesk(args, dense_kind=args.dense_kind, auto_sync=False)
    ray = None
    if args.ray is not None:
        ray = RayOptions(args.ray, args.ray_workers, args.ray_cpus_per_worker, args.ray_gpus_per_worker)
    report = desk.sync(rebuild=args.rebuild, progress=not args.quiet, optimize=args.optimize, ray=ray)
    for problem in report.problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(report.summary())
    return 0


def strict_json(value: object) -> str:
    """``value`` as JSON that strict parsers (jq, JavaScript) read: an undefined rate (NaN, e.g. the
    no-answer precision of a run that never abstained) is null, not Python's bare NaN.

    >>> json.loads(strict_json({"precision": float("nan"), "recall": [1.0, float("nan")]}))
    {'precision': None, 'recall': [1.0, None]}
    """

    def defined(item: object) -> object:
        if isinstance(item, float) and math.isnan(item):
            return None
        if isinstance(item, dict):
            return {key: defined(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [defined(inner) for inner in item]
        return item

    return json.dumps(defined(value), indent=2, ensure_ascii=False, allow_nan=False)


def cmd_ask(args: argparse.Namespace) -> int:
    desk = _newsdesk(args)
    reply = desk.answer(
        args.question, top_k=args.top_k, date_from=args.date_from, date_to=args.date_to, source=args.source
    )
    if args.json:
        print(json.dumps(answer_dict(reply, desk.precision()), ensure_ascii=False, indent=2))
    else:
        print(render_text(reply, MARK if sys.stdout.isatty() else ("[", "]")))
    return 0 if reply.found else 1  # "not found" is exit status 1, for scripts, with --json too


def cmd_status(args: argparse.Namespace) -> int:
    status = _newsdesk(args, auto_sync=False).status()
    if args.json:
        print(json.dumps(asdict(status), indent=2))
        return 0
    updated = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(status.updated)) if status.updated else "never"
    print(f"articles   {status.articles} ({status.duplicates} duplicates indexed once) in {status.articles_dir}")
    print(f"chunks     {status.chunks} in {status.index_dir} ({status.dense_kind} FAISS + BM25)")
    print(f"embedding  {status.embedding_model} ({', '.join(f'{k} {v}' for k, v in status.embedding.items())})")
    print(f"reader     {status.reader}")
    print(f"precision  reader {status.precision['reader']}")
    print(f"           embedder {status.precision['embedder']}")
    print(f"updated    {updated}")
    print(f"fresh      {'no: run `newsdesk index`' if status.stale else 'yes'}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    return serve(args)


def _eval_desk(args: argparse.Namespace) -> Newsdesk:
    from qa.reader import Reader

    embedder = Embedder(precision=args.embedding_precision, max_tokens=args.embedding_max_tokens or None)
    return _staged_desk(
        args.articles,
        args.index,
        embedder,
        reader=Reader(args.model, precision=args.precision, backend=args.backend or "auto"),
        dense_kind=args.dense_kind,
        min_confidence=args.min_confidence,
        answer_model=args.answer_model,
    )


def _staged_desk(
    sources: Sequence[str], index: str | None, embedder: Embedder | None = None, **options: object
) -> Newsdesk:
    """A Newsdesk over the evaluation's articles (staged as one folder), synced."""
    from qa.newsdesk import Newsdesk

    digest = hashlib.sha256("\0".join(str(Path(a).resolve()) for a in sources).encode()).hexdigest()[:10]
    # One index per set of articles: an index is bound to its articles folder.
    index_dir = Path(index or PROJECT_ROOT / "runs" / f"eval-index-{digest}")
    articles = stage_articles(sources, index_dir.parent / f"eval-articles-{digest}")
    desk = Newsdesk(
        articles_dir=articles,
        index_dir=index_dir,
        embedding_model=embedder,
        auto_sync=False,
        follow_links=True,  # the staged folder links to the evaluation's sources
        **options,  # type: ignore[arg-type]
    )
    report = desk.sync(progress=True)
    print(f"index: {report.summary()}", file=sys.stderr)
    return desk


def cmd_eval(args: argparse.Namespace) -> int:
    from qa import evaluate

    if args.what == "reader":
        return _eval_reader(args)
    questions = evaluate.load_news_questions(args.questions)
    if args.split:
        questions = evaluate.split_by_article(questions, args.split)
    desk = _eval_desk(args)
    ks = tuple(sorted(set(args.k)))
    if args.what == "retrieval":
        return _eval_retrieval(args, evaluate.evaluate_retrieval(desk, questions, ks), ks)
    return _eval_end_to_end(args, desk, questions, ks)


def _eval_reader(args: argparse.Namespace) -> int:
    from qa import evaluate
    from qa.reader import Reader

    if not args.squad:
        raise UsageError("eval reader needs --squad FILE (a SQuAD v1.1 or v2.0 JSON file)")
    windows = {name: value for name, value in (("max_length", args.window), ("stride", args.stride)) if value}
    reader = Reader(args.model, precision=args.precision or "auto", backend=args.backend or "auto", **windows)
    report = evaluate.evaluate_reader(reader, args.squad, args.limit, args.predictions)
    if args.json:
        print(strict_json(asdict(report)))
        return 0
    print(
        f"{report.path}: {report.questions} questions, {report.seconds:.0f} s "
        f"({report.window}-piece windows, stride {report.stride}; reader {reader.precision_reason})"
    )
    print(f"  EM {report.exact:.2f}  F1 {report.f1:.2f}")
    if report.has_answer_f1 is not None or report.no_answer_accuracy is not None:
        print(
            f"  HasAns F1 {report.has_answer_f1:.2f}  NoAns accuracy {report.no_answer_accuracy:.2f} "
            f"(threshold {reader.threshold:.2f})"
        )
        print(f"  best threshold {report.best_threshold:.2f} -> F1 {report.best_threshold_f1:.2f}")
    print(f"  offsets checked: {report.offsets_checked} spans equal their context slice")
    return 0


def _eval_retrieval(args: argparse.Namespace, report: RetrievalReport, ks: tuple[int, ...]) -> int:
    if args.json:
        print(strict_json(asdict(report)))
        return 0
    print(f"article recall@k over {report.questions} answerable questions")
    print("mode     " + "".join(f"  R@{k:<4}" for k in ks) + "  search p50")
    for mode, recall in report.recall.items():
        print(f"{mode:<8} " + "".join(f"  {recall[k]:.3f}" for k in ks) + f"  {report.latency_ms[mode]:.1f} ms")
    return 0


def _eval_end_to_end(args: argparse.Namespace, desk: Newsdesk, questions: list, ks: tuple[int, ...]) -> int:
    from qa import evaluate
    from qa.evaluate.plots import draw_abstention_curve, draw_reliability_diagram

    report = evaluate.evaluate_end_to_end(desk, questions, ks)
    # With --json, stdout is the report alone and where the plots went is said on stderr; as text,
    # the report is printed before the leave-out runs, so it stays on screen should that fail.
    notes = sys.stderr if args.json else sys.stdout
    if not args.json:
        _print_end_to_end(report)
    if args.reliability:
        draw_reliability_diagram(report, args.reliability)
        print(f"  reliability diagram: {args.reliability}", file=notes)
    leave_out = evaluate.evaluate_leave_out(desk, questions) if args.leave_out else None
    if leave_out and not args.json:
        _print_leave_out(leave_out)
    if leave_out and args.plot:
        draw_abstention_curve(leave_out, args.plot)
        print(f"  precision/recall curve: {args.plot}", file=notes)
    if args.json:
        print(strict_json(report.to_dict() | ({"leave_out": asdict(leave_out)} if leave_out else {})))
    elif not args.quiet:
        _print_wrong(report)
    return 0


def _print_wrong(report: EndToEndReport) -> None:
    wrong = [r for r in report.results if r.f1 < 1.0]
    if wrong:
        print(f"\n{len(wrong)} questions not fully right:")
    for r in wrong:
        cited = f" [cited {r.cited_article}]" if r.cited_article else ""
        print(
            f"- {r.question}\n    gold: {' | '.join(r.gold) or '(no answer)'} [{r.gold_article}]"
            f"\n    got:  {r.answered or '(no answer)'}{cited} score {r.score:.1f}"
        )


def _print_end_to_end(report: EndToEndReport) -> None:
    print(f"{report.questions} questions ({report.answerable} answerable)")
    print(
        f"  EM {report.exact:.1f}  F1 {report.f1:.1f}   "
        f"(answerable only: EM {report.answerable_exact:.1f} F1 {report.answerable_f1:.1f})"
    )
    print(f"  citation accuracy {report.citation_accuracy:.1f}%")
    precision, recall = report.no_answer_precision, report.no_answer_recall
    precision_shown = "n/a (it never abstained)" if math.isnan(precision) else f"{precision:.1f}%"
    recall_shown = "n/a (no unanswerable questions)" if math.isnan(recall) else f"{recall:.1f}%"
    print(f"  no-answer precision {precision_shown}  recall {recall_shown}")
    print("  article recall " + "  ".join(f"@{k} {v:.3f}" for k, v in report.recall_at_k.items()))
    print(f"  latency p50 {report.latency_p50_ms:.0f} ms  p95 {report.latency_p95_ms:.0f} ms")
    low, median, high = report.calibration_error_by_chance
    print(
        f"  expected calibration error of the confidence {report.calibration_error:.3f} "
        f"(a perfectly calibrated model would show {low:.3f}-{high:.3f}, median {median:.3f}, "
        "on this many questions at these confidences)"
    )


def _print_leave_out(report: LeaveOutReport) -> None:
    print(
        f"\nleave-out: {report.asked} answerable questions asked without their article "
        f"({len(report.set_aside)} set aside: their answer is in a passage of another article)"
    )
    print(
        f"  no-answer recall {report.no_answer_recall:.1f}% ({report.abstained} of {report.asked}), "
        f"precision {report.no_answer_precision:.1f}% (with the answerable questions), "
        f"threshold {report.threshold:.2f}"
    )


def cmd_train_reader(args: argparse.Namespace) -> int:
    from qa.reader_model import base_encoder_path
    from qa.train import train_reader

    if bool(args.unanswerable) != (args.unanswerable_fraction > 0):
        raise UsageError(
            "--unanswerable SETTINGS and --unanswerable-fraction F (between 0 and 1) go together: "
            "give both, e.g. --unanswerable left-out sentence-removed entity-swapped --unanswerable-fraction 0.5"
        )
    if not 0.0 <= args.distill_weight <= 1.0 or args.temperature <= 0:
        raise UsageError("--distill-weight goes from 0 to 1 and --temperature must be above 0")
    missing = [folder for folder in args.teachers if not (Path(folder) / "reader.json").is_file()]
    if missing:
        raise UsageError(
            f"--teachers must be reader folders (reader.json + delta, as train-reader writes): {', '.join(missing)}"
        )

    config = TrainingConfig(
        squad=args.squad,
        base=args.base or str(base_encoder_path()),
        out_dir=args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        max_length=args.max_length,
        stride=args.stride,
        negative_fraction=args.negative_fraction,
        unanswerable=tuple(args.unanswerable),
        unanswerable_fraction=args.unanswerable_fraction,
        questions=args.questions,
        init=args.init,
        teachers=tuple(args.teachers),
        distill_weight=args.distill_weight,
        temperature=args.temperature,
        warmup_steps=args.warmup_steps,
        max_seconds=args.max_seconds,
        checkpoint_every=args.checkpoint_every,
        seed=args.seed,
    )
    reader_dir = train_reader(config)
    print(
        f"reader written to {reader_dir}; evaluate it with "
        f"`newsdesk eval reader --model {reader_dir} --squad ...` after `newsdesk export-reader`"
    )
    return 0


def cmd_train_answer_model(args: argparse.Namespace) -> int:
    from qa.answer_training.run import examples_file, train_answer_model
    from qa.reader import Reader

    reader = Reader(args.reader)
    model = train_answer_model(
        news=_staged_desk(args.articles, None, reader=reader),
        news_questions_path=args.questions,
        squad_path=args.squad,
        work=Path(args.work),
        examples=examples_file(Path(args.work), args.reader),
        squad_questions=args.squad_questions,
        min_confidence_default=args.min_confidence_default,
        features=args.features,
        command="newsdesk train-answer-model " + " ".join(sys.argv[2:]),
    )
    model.save(args.out)
    print(f"answer model written to {args.out}")
    return 0


def cmd_export_reader(args: argparse.Namespace) -> int:
    from qa.reader_model import export_reader

    out = export_reader(Path(args.dir), args.model)
    print(f"wrote a Hugging Face QA model to {out} (AutoModelForQuestionAnswering.from_pretrained({str(out)!r}))")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_index_command(commands)
    _add_ask_command(commands)
    _add_status_command(commands)
    _add_serve_command(commands)
    _add_eval_command(commands)
    _add_train_reader_command(commands)
    _add_train_answer_model_command(commands)
    _add_export_reader_command(commands)
    return parser


def _add_index_command(commands: argparse._SubParsersAction) -> None:

    index = commands.add_parser("index", help="build or update the index from the articles folder")
    _common(index)
    index.add_argument("--rebuild", action="store_true", help="start over instead of updating")
    index.add_argument(
        "--dense-kind",
        choices=DENSE_KINDS,
        help="dense search: auto (exact, IVF-PQ for large segments), flat (always exact) or ivfpq "
        "(default: keep the current one; auto when new)",
    )
    index.add_argument(
        "--optimize", action="store_true", help="afterwards, merge the index's segments into one (drops deleted chunks)"
    )
    index.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="read, chunk and embed on a Ray cluster: local (a Ray on this machine, the default), auto, "
        "or ray://host:10001 (needs `pip install 'newsdesk[ray]'`; the articles folder must be at the same "
        "path on every node)",
    )
    index.add_argument("--ray-workers", type=int, default=2, metavar="N", help="embedding actors (default 2)")
    index.add_argument("--ray-cpus-per-worker", type=float, default=1.0, metavar="N", help="default 1")
    index.add_argument("--ray-gpus-per-worker", type=float, default=0.0, metavar="N", help="default 0")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.set_defaults(run=cmd_index)


def _add_ask_command(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="answer a question with a cited span")
    _common(ask)
    ask.add_argument("question")
    add_answer_arguments(ask)
    ask.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help="passages to read")
    ask.add_argument("--date-from", help="only articles on or after YYYY-MM-DD")
    ask.add_argument("--date-to", help="only articles on or before YYYY-MM-DD")
    ask.add_argument("--source", help="only articles from this source")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.set_defaults(run=cmd_ask)


def _add_status_command(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser("status", help="articles, chunks, models and freshness of the index")
    _common(status)
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=cmd_status)


def _add_serve_command(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="start the browser chat (same as python app.py)")
    add_serve_arguments(serve)
    serve.set_defaults(run=cmd_serve)


def _add_eval_command(commands: argparse._SubParsersAction) -> None:
    evaluation = commands.add_parser("eval", help="measure the reader, retrieval or answers end to end")
    evaluation.add_argument("what", choices=("reader", "retrieval", "e2e"))
    evaluation.add_argument("--squad", help="SQuAD-format file (eval reader)")
    evaluation.add_argument("--limit", type=int, help="only the first N questions (eval reader)")
    evaluation.add_argument("--predictions", help="write {id: answer} for the official SQuAD script (eval reader)")
    evaluation.add_argument(
        "--model", help="reader folder or checkpoint, for eval reader and e2e (default: the shipped reader)"
    )
    evaluation.add_argument("--precision", choices=READER_PRECISIONS, help="reader CPU path (default: auto)")
    evaluation.add_argument(
        "--backend", choices=READER_BACKENDS, help="reader runtime: onnx (ONNX Runtime) or torch (default: auto)"
    )
    evaluation.add_argument("--questions", default=str(DEFAULT_QUESTIONS), help="news questions (JSON Lines)")
    evaluation.add_argument(
        "--articles",
        nargs="+",
        default=[str(p) for p in DEFAULT_EVAL_ARTICLES],
        help="article folders or files to index (default: seeds/ + ../shared news.jsonl)",
    )
    evaluation.add_argument(
        "--split", choices=("calibration", "held-out"), help="only the questions of half the articles (eval e2e)"
    )
    evaluation.add_argument(
        "--index", help="index folder for the evaluation (default: runs/eval-index-<digest of the articles>)"
    )
    evaluation.add_argument(
        "--leave-out",
        action="store_true",
        help="eval e2e: also ask each answerable question with its article taken out of the archive",
    )
    evaluation.add_argument("--plot", metavar="PNG", help="with --leave-out: draw the precision/recall curve")
    evaluation.add_argument(
        "--reliability", metavar="PNG", help="eval e2e: draw the reliability diagram of the shown confidence"
    )
    evaluation.add_argument("--answer-model", metavar="JSON", help="answer model (default: the shipped one)")
    evaluation.add_argument(
        "--window", type=int, help="eval reader: word pieces per window the reader reads (default 256)"
    )
    evaluation.add_argument("--stride", type=int, help="eval reader: word pieces shared by consecutive windows (96)")
    add_answer_arguments(evaluation)
    evaluation.add_argument("--dense-kind", choices=DENSE_KINDS)
    evaluation.add_argument(
        "--embedding-precision",
        choices=(*PRECISIONS, "auto"),
        default=Embedder.precision,
        help="embedder (eval e2e/retrieval; auto: as this CPU allows)",
    )
    evaluation.add_argument(
        "--embedding-max-tokens",
        type=int,
        default=Embedder.max_tokens,
        help="word pieces embedded per chunk; 0: the model's limit",
    )
    evaluation.add_argument("-k", type=int, nargs="+", default=[1, 3, 5, 10], help="k for recall@k")
    evaluation.add_argument("--json", action="store_true")
    evaluation.add_argument("--quiet", action="store_true", help="no per-question error report")
    evaluation.set_defaults(run=cmd_eval)


def _add_train_reader_command(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train-reader", help="fine-tune the reader on SQuAD-format data (resumable)")
    train.add_argument("--squad", required=True, help="SQuAD v1.1-format training file")
    train.add_argument("--out", default=str(PROJECT_ROOT / "runs" / "reader"), help="run folder (checkpoints, result)")
    train.add_argument("--base", help="encoder folder (default: the bundled all-MiniLM-L6-v2)")
    defaults = TrainingConfig
    train.add_argument("--epochs", type=float, default=defaults.epochs)
    train.add_argument("--batch-size", type=int, default=defaults.batch_size)
    train.add_argument("--lr", type=float, default=defaults.learning_rate)
    train.add_argument("--max-length", type=int, default=defaults.max_length)
    train.add_argument("--stride", type=int, default=defaults.stride)
    train.add_argument("--negative-fraction", type=float, default=defaults.negative_fraction)
    train.add_argument(
        "--unanswerable",
        nargs="*",
        default=[],
        choices=UNANSWERABLE_SETTINGS,
        help="also train on unanswerable versions of questions made in these settings (qa.unanswerable)",
    )
    train.add_argument(
        "--unanswerable-fraction", type=float, default=0.0, help="share of questions asked unanswerably too"
    )
    train.add_argument("--questions", type=int, help="train on a seeded random sample of this many questions")
    train.add_argument("--init", help="reader folder (reader.json + delta) to continue training from")
    train.add_argument(
        "--teachers",
        nargs="+",
        default=[],
        metavar="READER_DIR",
        help="self-distillation: reader folders (e.g. trained with other seeds) whose averaged logits are soft targets",
    )
    train.add_argument(
        "--distill-weight", type=float, default=defaults.distill_weight, help="the soft targets' share of the loss"
    )
    train.add_argument(
        "--temperature", type=float, default=defaults.temperature, help="softening of the distributions distilled"
    )
    train.add_argument("--warmup-steps", type=int, default=defaults.warmup_steps)
    train.add_argument("--max-seconds", type=float, help="fit the schedule into this much training time")
    train.add_argument("--checkpoint-every", type=int, default=defaults.checkpoint_every)
    train.add_argument("--seed", type=int, default=defaults.seed)
    train.set_defaults(run=cmd_train_reader)


def _add_train_answer_model_command(commands: argparse._SubParsersAction) -> None:
    answer_model = commands.add_parser(
        "train-answer-model",
        help="fit the answer-or-abstain model on the reader's candidates over news and SQuAD questions (resumable)",
    )
    answer_model.add_argument("--squad", required=True, help="SQuAD v1.1 train file (its last 8 articles are asked)")
    answer_model.add_argument(
        "--reader", help="reader folder or checkpoint the model judges (default: the shipped reader)"
    )
    answer_model.add_argument("--squad-questions", type=int, help="ask only the first N SQuAD questions")
    answer_model.add_argument("--questions", default=str(DEFAULT_QUESTIONS), help="news questions (JSON Lines)")
    answer_model.add_argument("--articles", nargs="+", default=[str(p) for p in DEFAULT_EVAL_ARTICLES])
    answer_model.add_argument("--work", default=str(PROJECT_ROOT / "runs" / "answer-model"), help="work folder")
    answer_model.add_argument("--out", default=str(PROJECT_ROOT / "runs" / "answer-model" / "answer-model.json"))
    answer_model.add_argument(
        "--features",
        nargs="+",
        choices=FEATURES,
        default=["score"],
        help="features the model reads (default: the reader's score alone; see the README for why)",
    )
    answer_model.add_argument(
        "--min-confidence-default",
        type=float,
        help="the model's threshold (default: the one that gets most calibration questions right)",
    )
    answer_model.set_defaults(run=cmd_train_answer_model)


def _add_export_reader_command(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export-reader", help="write the reader as a standard Hugging Face folder")
    export.add_argument("dir")
    export.add_argument("--model", help="checkpoint to export (default: the shipped reader)")
    export.set_defaults(run=cmd_export_reader)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    show_progress_logs(args.verbose)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    quiet_model_loading()
    from qa.index import IndexUnavailableError

    try:
        return int(args.run(args) or 0)
    except (UsageError, IndexUnavailableError, EmbedderCacheError, RayUnavailableError, ReaderModelError) as error:
        print(f"newsdesk: {error}", file=sys.stderr)  # what to change, in one line
        return 2
    except OSError as error:  # the machine's: a missing or unreadable path, a full disk
        print(f"newsdesk: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
