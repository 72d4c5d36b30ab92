"""Cold start to first answer, peak memory while serving, and the chat server under load.

    python bench/serving.py --corpus news
    python bench/serving.py --corpus all
    python bench/serving.py --load --users 20 --questions 5000      # the chat server under load
    python bench/serving.py --first-start [--cold-cache]   # python app.py over a new archive
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python bench/serving.py --first-start  # as on AVX2

Cold start: a fresh Python process imports Newsdesk, opens the (already built) index, loads both
models and answers one question; the parent times it from process start to the printed answer.
The same process then answers all news questions and reports its peak resident set size.

Load: starts the chat (``python app.py``) over the corpus and lets ``--users`` gradio_client users
ask the news questions through ``/chat`` at the same time, each user starting a new conversation
every ``--conversation`` questions, until ``--questions`` have been asked. Reports errors,
latency p50/p95, questions/s, and the server's resident memory over time (sampled every second
from /proc), drawn to ``--plot``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import QUESTIONS, ROOT, RUNS, stage, table

CHILD = """
import resource, sys
from qa import Newsdesk
from qa.evaluate import load_news_questions
desk = Newsdesk(articles_dir=sys.argv[1], index_dir=sys.argv[2], auto_sync=False, follow_links=True)
reply = desk.answer("Who will Putin meet during his visit?")
print("ANSWER", reply.text, flush=True)
for question in load_news_questions(sys.argv[3]):
    desk.answer(question.question)
print("PEAK_RSS_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, flush=True)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load(args: argparse.Namespace, articles: Path, index_dir: Path) -> None:
    """Many users over gradio_client against a real server; latency and the server's memory."""
    from qa.evaluate import load_news_questions

    questions = [q.question for q in load_news_questions(QUESTIONS)]
    server, log, url = _start_server(args, articles, index_dir)
    try:
        run = _LoadRun(url, questions, args, server.pid)
        seconds = run.drive()
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    result = _load_result(args, run, seconds)
    window = result["window_questions"]
    print(table(
        ["users", "questions", "errors", "p50 s", "p95 s", "questions/s", f"RSS first {window} MB",
         f"RSS last {window} MB", "peak MB"],
        [[args.users, result["questions"], result["errors"], result["p50_s"], result["p95_s"],
          result["questions_per_s"], result["rss_first_window_mb"], result["rss_last_window_mb"],
          result["rss_peak_mb"]]],
    ))  # fmt: skip
    if args.plot:
        _plot_memory(args, run)


def _start_server(args: argparse.Namespace, articles: Path, index_dir: Path) -> tuple[subprocess.Popen, object, str]:
    """``python app.py`` on a free port, once it answers a question."""
    import socket
    import urllib.request

    from gradio_client import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(RUNS / "load-server.log", "w")  # noqa: SIM115 - closed by load()
    server = subprocess.Popen(
        [sys.executable, "app.py", "--articles", str(articles), "--index", str(index_dir), "--follow-links",
         "--port", str(port), *(["--max-sessions", str(args.max_sessions)] if args.max_sessions else [])],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 600
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            Client(url, verbose=False).predict("Who will Putin meet?", api_name="/answer")
            return server, log, url
        except Exception:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                log.close()
                sys.exit("the chat server did not start: see runs/bench/load-server.log")
            time.sleep(2)


def first_start(args: argparse.Namespace, articles: Path) -> list[object]:
    """[seconds to the first answer, seconds to the whole archive indexed, the answer] for one
    start of ``python app.py`` over a new index."""
    import os
    import re
    import socket
    import tempfile
    import urllib.request

    from gradio_client import Client

    scratch = Path(tempfile.mkdtemp(prefix="first-start-", dir=RUNS))
    env = {**os.environ, **({"NEWSDESK_CACHE": str(scratch / "cache")} if args.cold_cache else {})}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = scratch / "server.log"
    started = time.perf_counter()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "app.py", "--articles", str(articles), "--index", str(scratch / "index"),
             "--follow-links", "--port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        url, answered, answer, client = f"http://127.0.0.1:{port}/", None, "", None
        try:
            while answered is None and time.perf_counter() - started < 900 and server.poll() is None:
                try:
                    urllib.request.urlopen(url, timeout=2)
                    client = client or Client(url, verbose=False)
                    reply = client.predict("Who will Putin meet during his visit?", api_name="/answer")
                    answered, answer = time.perf_counter() - started, reply["text"]
                except Exception:
                    time.sleep(0.5)
            while "index ready" not in log_path.read_text() and server.poll() is None:
                time.sleep(0.5)
            whole = time.perf_counter() - started
            partial = re.search(r"answering from (\d+) article", log_path.read_text())
        finally:
            server.terminate()
            server.wait()
    return [answered, whole, int(partial.group(1)) if partial else "all", answer]


class _LoadRun:
    """``args.users`` threads asking ``args.questions`` questions over /chat (a new session every
    ``args.conversation`` questions), and a sampler of the server's memory once a second."""

    def __init__(self, url: str, questions: list[str], args: argparse.Namespace, pid: int) -> None:
        import threading

        self.url, self.questions, self.args, self.pid = url, questions, args, pid
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.samples: list[tuple[float, int, float]] = []  # (seconds, questions done, RSS MB)
        self.counter = iter(range(args.questions))
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.started = time.perf_counter()

    def drive(self) -> float:
        """Run every user to the end; returns the seconds it took."""
        import threading

        self.started = time.perf_counter()
        watcher = threading.Thread(target=self.sample)
        watcher.start()
        users = [threading.Thread(target=self.user) for _ in range(self.args.users)]
        for thread in users:
            thread.start()
        for thread in users:
            thread.join()
        self.done.set()
        watcher.join()
        return time.perf_counter() - self.started

    def user(self) -> None:
        from gradio_client import Client

        client = Client(self.url, verbose=False)
        asked = 0
        while True:
            with self.lock:
                number = next(self.counter, None)
            if number is None:
                return
            if asked and asked % self.args.conversation == 0:
                client.reset_session()
            begin = time.perf_counter()
            try:
                client.predict(self.questions[number % len(self.questions)], api_name="/chat")
            except Exception as error:
                with self.lock:
                    self.errors.append(f"{type(error).__name__}: {error}")
            with self.lock:
                self.latencies.append(time.perf_counter() - begin)
            asked += 1

    def sample(self) -> None:
        while not self.done.is_set():
            with self.lock:
                answered = len(self.latencies)
            self.samples.append((time.perf_counter() - self.started, answered, rss_mb(self.pid)))
            self.done.wait(1.0)


def _load_result(args: argparse.Namespace, run: _LoadRun, seconds: float) -> dict:
    """The figures, written to runs/bench/load.json."""
    import json

    import numpy as np

    latencies, samples = run.latencies, run.samples
    window = min(1000, len(latencies) // 5)
    first = [rss for _, n, rss in samples if n <= window]
    last = [rss for _, n, rss in samples if n >= len(latencies) - window]
    result = {
        "users": args.users,
        "questions": len(latencies),
        "errors": len(run.errors),
        "first_errors": run.errors[:5],
        "p50_s": float(np.percentile(latencies, 50)),
        "p95_s": float(np.percentile(latencies, 95)),
        "questions_per_s": len(latencies) / seconds,
        "rss_first_window_mb": float(np.mean(first)),
        "rss_last_window_mb": float(np.mean(last)),
        "rss_peak_mb": max(rss for _, _, rss in samples),
        "window_questions": window,
        "samples": samples,
    }
    (RUNS / "load.json").write_text(json.dumps(result, indent=1))
    return result


def _plot_memory(args: argparse.Namespace, run: _LoadRun) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = run.samples
    figure, axis = plt.subplots(figsize=(7, 3.2), dpi=110)
    axis.plot([n for _, n, _ in samples], [rss for _, _, rss in samples], color="#1d4ed8")
    axis.set_xlabel("questions answered")
    axis.set_ylabel("server RSS (MB)")
    axis.set_ylim(0, max(rss for _, _, rss in samples) * 1.15)
    axis.set_title(f"{args.users} concurrent users, {len(run.latencies):,} questions, {args.corpus} corpus")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(args.plot)
    print(f"plot: {args.plot}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("news", "all"), default="news")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--load", action="store_true", help="measure the chat server under concurrent users")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--conversation", type=int, default=10, help="questions per conversation (load)")
    parser.add_argument("--plot", default=str(ROOT / "docs" / "serving-memory.png"))
    parser.add_argument("--max-sessions", type=int, help="the server's --max-sessions (default: its own)")
    parser.add_argument("--first-start", action="store_true", help="python app.py over a new index")
    parser.add_argument("--cold-cache", action="store_true", help="first start: count the ONNX exports too")
    args = parser.parse_args()
    articles, index_dir = stage(args.corpus)
    if args.first_start:
        RUNS.mkdir(parents=True, exist_ok=True)
        rows = [[args.corpus, run + 1, *first_start(args, articles)] for run in range(args.runs)]
        headers = ["corpus", "run", "to first answer s", "to whole archive s", "answering from", "answer"]
        print(table(headers, rows))
        return
    if args.load:
        RUNS.mkdir(parents=True, exist_ok=True)
        load(args, articles, index_dir)
        return
    if not (index_dir / "CURRENT").exists():
        sys.exit(f"build the index first: python bench/build.py --corpus {args.corpus}")
    rows = []
    for run in range(args.runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(articles), str(index_dir), str(QUESTIONS)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdout is not None
        first_answer = peak = None
        for line in child.stdout:
            if line.startswith("ANSWER") and first_answer is None:
                first_answer = time.perf_counter() - started
            if line.startswith("PEAK_RSS_MB"):
                peak = float(line.split()[1])
        child.wait()
        rows.append([args.corpus, run + 1, first_answer, peak])
    print(table(["corpus", "run", "cold start to first answer s", "peak RSS while serving MB"], rows))


if __name__ == "__main__":
    main()
