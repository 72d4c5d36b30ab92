"""`newsdesk index --ray`: the build's reading, chunking and embedding on a real Ray cluster.

A module fixture starts a real local cluster (`ray start --head`, 2 CPUs, 127.0.0.1 only, usage
stats off) and stops it afterwards; the tests sync through it and compare with the single-process
index, kill the driver and a worker midway, and try the command line."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from qa import Newsdesk
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.evaluate import evaluate_end_to_end, evaluate_retrieval, load_news_questions
from qa.index import Index, RayOptions, RayUnavailableError, sync_index
from qa.reader import Reader
from tests.conftest import ROOT, SEED_ID, SEEDS, needs_shared


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The cluster and every driver that joins it: offline, on loopback, without Ray's token auth (a
# cluster of one machine's loopback; a driver must use the cluster's auth mode).
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The address of a real Ray cluster on this machine: a head node with 2 CPUs on 127.0.0.1,
    stopped with its process group (`ray stop` would stop every Ray of this user)."""
    port = _free_port()
    # Ray's socket paths must stay short: a temp folder of its own directly under /tmp.
    temp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    command = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--num-cpus=2"]
    command += ["--disable-usage-stats", "--node-ip-address=127.0.0.1", f"--port={port}"]
    command += ["--include-dashboard=false", "--object-store-memory=500000000", f"--temp-dir={temp}"]
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**RAY_ENV, "PYTHONPATH": str(ROOT)}.items():
            patch.setenv(key, value)
        log = temp / "head.log"
        with open(log, "w") as out:
            head = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while "Ray runtime started" not in log.read_text():
                assert head.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            yield f"127.0.0.1:{port}"
        finally:
            head.send_signal(signal.SIGTERM)  # `ray start --block` stops the node's processes
            with contextlib.suppress(subprocess.TimeoutExpired):
                head.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(head.pid, signal.SIGKILL)  # and whatever of its group is left
            head.wait()
            shutil.rmtree(temp, ignore_errors=True)


def _chunks(index: Index) -> list[tuple]:
    return [(i, c.article_id, c.index, c.start, c.end, c.text) for i, c in index.chunks()]


def _vectors(index: Index) -> tuple[np.ndarray, np.ndarray]:
    ids = np.concatenate([np.asarray(s.ids) for s in index.dense.segments])
    vectors = np.vstack([np.asarray(s.vectors, np.float32) for s in index.dense.segments])
    return ids, vectors


def _assert_same_index(one: Path, other: Path) -> None:
    a, b = Index.open(one), Index.open(other)
    assert _chunks(a) == _chunks(b)  # the same chunks, ids and offsets
    assert a.store.entries() == b.store.entries()
    (ids_a, vectors_a), (ids_b, vectors_b) = _vectors(a), _vectors(b)
    assert np.array_equal(ids_a, ids_b) and np.abs(vectors_a - vectors_b).max() < 1e-3


@pytest.mark.shared
def test_the_news_index_built_on_ray_is_the_single_process_one(
    cluster: str, tmp_path: Path, embedder: Embedder, reader: Reader
):
    news = needs_shared("data", "news", "news.jsonl")
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", articles)
    shutil.copy(news, articles / "news.jsonl")
    single = sync_index(articles, tmp_path / "single", Chunker(), embedder)
    distributed = sync_index(
        articles, tmp_path / "ray", Chunker(), embedder, ray=RayOptions(cluster, workers=2), batch_chunks=512
    )
    assert (distributed.added, distributed.chunks_embedded) == (single.added, single.chunks_embedded)
    assert single.added == 337
    _assert_same_index(tmp_path / "single", tmp_path / "ray")
    # The same answers: top passages, article recall@5, end-to-end F1 on the news questions.
    questions = load_news_questions(needs_shared("data", "newsqa", "dev.jsonl"))
    desks = [
        Newsdesk(articles_dir=articles, index_dir=tmp_path / name, embedding_model=embedder, reader=reader)
        for name in ("single", "ray")
    ]
    tops = [[desk.search(q.question, top_k=1)[0].chunk_id for q in questions] for desk in desks]
    assert np.mean([a == b for a, b in zip(*tops, strict=True)]) >= 0.99
    recalls = [evaluate_retrieval(desk, questions, ks=(5,), modes=("hybrid",)).recall["hybrid"][5] for desk in desks]
    assert recalls[0] == recalls[1] >= 0.95
    f1 = [evaluate_end_to_end(desk, questions).f1 for desk in desks]
    assert f1[0] == pytest.approx(f1[1], abs=0.5)


def _stories(folder: Path, count: int) -> None:
    folder.mkdir(exist_ok=True)
    for number in range(count):
        topic = ("harbour", "election", "vaccine", "bridge")[number % 4]
        (folder / f"story{number:03d}.json").write_text(
            json.dumps(
                {
                    "id": f"story{number:03d}",
                    "title": f"The {topic} report {number}",
                    "date": f"2024-01-{number % 28 + 1:02d}",
                    "text": " ".join(
                        f"The {topic} committee met for session {number} and discussed item {i} at length."
                        for i in range(12)
                    ),
                }
            )
        )


KILL_DRIVER = """
import os, signal, sys
import qa.index.sync as sync
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index import RayOptions

commit = sync._Writer._commit_batch
def commit_then_die(self, *args, **kwargs):
    commit(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # the first batch committed, the rest still on Ray
sync._Writer._commit_batch = commit_then_die
options = RayOptions(sys.argv[3], articles_per_task=2)
sync.sync_index(sys.argv[1], sys.argv[2], Chunker(), Embedder(), ray=options, batch_chunks=8)
"""


def test_a_driver_killed_midway_leaves_the_index_loadable_and_the_rerun_resumes(
    cluster: str, tmp_path: Path, embedder: Embedder
):
    articles = tmp_path / "articles"
    _stories(articles, 8)
    sync_index(articles, tmp_path / "index", Chunker(), embedder)
    _stories(articles, 40)  # 32 more
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, str(articles), str(tmp_path / "index"), cluster],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    index = Index.open(tmp_path / "index")  # the last commit: the old articles and the first batch
    done = index.article_count
    assert 8 < done < 40 and index.store.count("chunks") == index.chunk_count
    report = sync_index(
        articles, tmp_path / "index", Chunker(), embedder, ray=RayOptions(cluster, articles_per_task=2), batch_chunks=8
    )
    assert report.added == 40 - done and report.chunks_embedded < 32 * 2  # finished batches not redone
    sync_index(articles, tmp_path / "single", Chunker(), embedder)
    index = Index.open(tmp_path / "index")
    assert index.article_count == 40 and index.lexical.count() == index.store.count("chunks")
    _assert_same_index(tmp_path / "single", tmp_path / "index")  # as if never killed, nor on Ray


@dataclasses.dataclass
class CrashOnce(Embedder):
    """The built-in embedder, whose process dies the first time it embeds (a worker lost midway)."""

    marker: str = ""

    def embed(self, texts, progress: bool = False) -> np.ndarray:
        if not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)
        return super().embed(texts, progress)


def test_a_worker_killed_midway_is_retried(cluster: str, tmp_path: Path, embedder: Embedder):
    articles = tmp_path / "articles"
    _stories(articles, 12)
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module
    marker = tmp_path / "crashed"
    crashing = CrashOnce(marker=str(marker))
    report = sync_index(articles, tmp_path / "ray", Chunker(), crashing, ray=RayOptions(cluster, workers=1))
    assert marker.exists() and int(marker.read_text()) != os.getpid()  # a worker died, not this process
    assert report.added == 12
    sync_index(articles, tmp_path / "single", Chunker(), embedder)
    _assert_same_index(tmp_path / "single", tmp_path / "ray")


def test_the_command_line_builds_on_ray_and_says_when_it_cannot(cluster: str, tmp_path: Path):
    articles = tmp_path / "articles"
    _stories(articles, 6)
    index_dir = tmp_path / "index"
    command = [sys.executable, "-m", "qa.cli", "index", "--articles", str(articles), "--index", str(index_dir)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*command, "--ray", cluster, "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "6 added" in done.stdout and Index.open(index_dir).article_count == 6
    _stories(articles, 7)
    refused = subprocess.run(
        [*command, "--ray", cluster, "--ray-workers", "0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "workers" in refused.stderr and "Traceback" not in refused.stderr


def test_an_unreachable_cluster_is_a_clear_error(tmp_path: Path, embedder: Embedder):
    articles = tmp_path / "articles"
    _stories(articles, 2)
    with pytest.raises(RayUnavailableError, match="cannot reach the Ray cluster"):
        sync_index(articles, tmp_path / "index", Chunker(), embedder, ray=RayOptions(f"127.0.0.1:{_free_port()}"))
    assert not (tmp_path / "index" / "CURRENT").exists()
