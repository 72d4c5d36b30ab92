"""A sync's reading, chunking and embedding on a Ray cluster (`newsdesk index --ray`).

The driver plans the sync as always (`qa.index.sync`); only the work of the plan — read the
articles to embed, chunk them, embed the chunks — runs on Ray, as a Ray Data pipeline whose last
stage is an actor pool of embedders (one model loaded per actor, as Ray's batch inference does).
The results stream back to the driver in plan order, a bounded window at a time (Ray Data's
streaming executor applies back-pressure), and the driver commits them batch by batch exactly as a
single-process sync does: same chunk ids and offsets, same segments, the same commit point, so a
driver killed midway leaves the last commit whole and a rerun resumes from it. Ray retries the work
of a worker that dies.

Workers read the articles themselves: the articles folder must be at the same path on every node
(a shared file system). The index folder is written by the driver alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.errors import UsageError
from qa.index.scan import read_articles_of
from qa.schema import Article, Chunk

log = logging.getLogger(__name__)

LOCAL = "local"
LOOPBACK = "127.0.0.1"
LOOPBACK_NAMES = (LOOPBACK, "localhost", "::1")
CONNECT_SECONDS = 5  # to find a head node listening at a cluster address
# Articles per unit of work sent to an actor: ~150 chunks, about a second of one core's embedding,
# small enough to spread over the pool and to keep the results in flight small.
ARTICLES_PER_TASK = 32


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide the embedding runs.

    ``address``: ``local`` starts a Ray on this machine (its cores) for the sync's duration;
    ``auto`` or ``ray://host:10001`` (or ``host:port``) joins a running cluster.
    ``workers``: embedding actors (each loads the model once). ``cpus_per_worker`` and
    ``gpus_per_worker``: what Ray reserves for each (a GPU worker where the cluster has GPUs; the
    vectors keep the index's precision setting). ``articles_per_task``: articles per actor call.
    """

    address: str = LOCAL
    workers: int = 2
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0
    articles_per_task: int = ARTICLES_PER_TASK

    def __post_init__(self) -> None:
        if self.workers < 1 or self.cpus_per_worker <= 0 or self.gpus_per_worker < 0 or self.articles_per_task < 1:
            raise UsageError(
                "Ray options: workers and articles per task must be at least 1, CPUs per worker above 0, "
                "GPUs per worker 0 or more"
            )


def work_units(ids: Sequence[str], file_of: dict[str, str], size: int) -> list[dict[str, object]]:
    """The plan's articles as units of work, in plan order: up to ``size`` ids of one file each
    (a worker reads that file once per unit).

    >>> work_units(["a", "b", "c"], {"a": "x.json", "b": "y.jsonl", "c": "y.jsonl"}, 1)
    [{'unit': 0, 'file': 'x.json', 'ids': '["a"]'}, {'unit': 1, 'file': 'y.jsonl', 'ids': '["b"]'}, \
{'unit': 2, 'file': 'y.jsonl', 'ids': '["c"]'}]
    >>> [u["ids"] for u in work_units(["a", "b", "c"], {"a": "x", "b": "y", "c": "y"}, 8)]
    ['["a"]', '["b", "c"]']
    """
    units: list[dict[str, object]] = []
    run: list[str] = []
    for position, article_id in enumerate(ids):
        run.append(article_id)
        following = ids[position + 1] if position + 1 < len(ids) else None
        if len(run) == size or following is None or file_of[following] != file_of[article_id]:
            units.append({"unit": len(units), "file": file_of[article_id], "ids": json.dumps(run)})
            run = []
    return units


def encode_article(article: Article, chunks: Sequence[Chunk]) -> dict:
    """An article and its chunk offsets as plain data (what a worker sends back, as JSON, with
    the vectors); the chunk texts are the article's slices, so they do not travel.

    >>> a = Article("n1", "Rain", "Rain fell. Then sun.")
    >>> decode_article(encode_article(a, [Chunk("n1", 0, 0, 10, "Rain fell.")]))[1]
    [Chunk(article_id='n1', index=0, start=0, end=10, text='Rain fell.')]
    """
    return {"article": dataclasses.asdict(article), "chunks": [(c.index, c.start, c.end) for c in chunks]}


def decode_article(record: dict) -> tuple[Article, list[Chunk]]:
    article = Article(**record["article"])
    chunks = [Chunk(article.id, index, start, end, article.text[start:end]) for index, start, end in record["chunks"]]
    return article, chunks


class ArticleEmbedder:
    """A Ray actor: reads, chunks and embeds units of work (see `work_units`)."""

    def __init__(self, articles_dir: str, chunker: Chunker, embedder: Embedder) -> None:
        self.articles_dir = Path(articles_dir)
        self.chunker = chunker
        self.embedder = embedder
        self.embedder.warm_up()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One output row per unit of work: its articles (JSON, with chunk offsets) and the
        vectors of all their chunks (float32 bytes, in order)."""
        records, vectors = [], []
        for name, ids in zip(batch["file"], batch["ids"], strict=True):
            wanted = json.loads(ids)
            found = read_articles_of(self.articles_dir, {str(name)}, set(wanted))
            # An article gone since the plan was made is left out: the next sync sees it.
            split = [(found[i], self.chunker.split(found[i])) for i in wanted if i in found]
            texts = [chunk.text for _, chunks in split for chunk in chunks]
            embedded = self.embedder.embed(texts) if texts else np.zeros((0, 0), np.float32)
            records.append(json.dumps([encode_article(a, chunks) for a, chunks in split], ensure_ascii=False))
            vectors.append(np.ascontiguousarray(embedded, np.float32).tobytes())
        return {
            "unit": np.asarray(batch["unit"], np.int64),
            "articles": np.asarray(records, dtype=object),
            "vectors": np.asarray(vectors, dtype=object),
        }


def in_unit_order(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows numbered by ``unit`` (0, 1, 2, ...), in that order whatever order they come in;
    holds only those that arrive early.

    >>> [row["unit"] for row in in_unit_order({"unit": u} for u in (1, 0, 3, 2, 4))]
    [0, 1, 2, 3, 4]
    """
    early: dict[int, dict] = {}
    expected = 0
    for row in rows:
        early[int(row["unit"])] = row
        while expected in early:
            yield early.pop(expected)
            expected += 1
    if early:
        raise RuntimeError(f"Ray returned no result for unit {expected} of the sync's work")


def embed_on_ray(
    options: RayOptions,
    articles_dir: Path,
    ids: Sequence[str],
    file_of: dict[str, str],
    chunker: Chunker,
    embedder: Embedder,
    dimension: int,
) -> Iterator[tuple[Article, list[Chunk], np.ndarray]]:
    """Each of ``ids`` that can still be read, in order, with its chunks and their vectors."""
    if not ids:
        return
    ray = _import_ray(options.address)

    with _connected(options.address):
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # the driver commits in plan order
        context.enable_progress_bars = False  # the sync reports progress itself
        context.print_on_execution_start = False
        units = ray.data.from_items(work_units(ids, file_of, options.articles_per_task))
        embedded = units.map_batches(
            ArticleEmbedder,
            fn_constructor_kwargs={
                "articles_dir": str(Path(articles_dir).resolve()),
                "chunker": chunker,
                "embedder": _worker_copy(embedder, options),
            },
            batch_size=1,
            batch_format="numpy",
            # Ray Data restarts a dead actor and retries its calls without limit by default.
            compute=ray.data.ActorPoolStrategy(size=options.workers),
            num_cpus=options.cpus_per_worker,
            num_gpus=options.gpus_per_worker,
        )
        # Ray keeps the order (preserve_order); the driver makes sure of it, since ids follow it.
        for row in in_unit_order(embedded.iter_rows()):
            vectors = np.frombuffer(row["vectors"], np.float32).reshape(-1, dimension)
            at = 0
            for record in json.loads(row["articles"]):
                article, chunks = decode_article(record)
                yield article, chunks, vectors[at : at + len(chunks)]
                at += len(chunks)


def _worker_copy(embedder: Embedder, options: RayOptions) -> Embedder:
    """The embedder to send to each actor: unloaded (each actor loads its own), and for the
    built-in one, as many intra-op threads as the cores Ray gives the actor."""
    copy = embedder.unloaded()
    with contextlib.suppress(TypeError):  # a subclass with an __init__ of its own keeps its settings
        copy = dataclasses.replace(copy, workers=max(1, int(options.cpus_per_worker)))
    return copy


@contextlib.contextmanager
def _connected(address: str) -> Iterator[None]:
    """Ray, initialised for this sync (and shut down after it) unless the process already runs it."""
    ray = _import_ray(address)
    if ray.is_initialized():
        yield
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine
    if (problem := _unreachable(address)) is not None:
        # Ray itself would wait minutes for a head node that is not there.
        raise RayUnavailableError(
            f"cannot reach the Ray cluster at {address!r} ({problem}); start one (`ray start --head`) or use "
            f"--ray {LOCAL}"
        )
    quiet = {"log_to_driver": False, "configure_logging": False}
    try:
        if address == LOCAL:
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, **quiet)
        else:
            # The workers of a remote cluster import this package from the copy shipped here.
            package = str(Path(__file__).resolve().parent.parent)
            ray.init(address=address, runtime_env={"py_modules": [package]}, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RayUnavailableError(
            f"cannot reach the Ray cluster at {address!r} ({error}); start one (`ray start --head`) or use "
            f"--ray {LOCAL}"
        ) from error
    try:
        yield
    finally:
        ray.shutdown()


def _unreachable(address: str) -> str | None:
    """Why nothing answers at ``address`` (host:port or ray://host:port), or None if something
    listens there (or the address names no port to try: ``local``, ``auto``)."""
    host, _, port = address.split("://")[-1].rpartition(":")
    if not host or not port.isdigit():
        return None
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS):
            return None
    except OSError as error:
        return f"nothing answers at {host}:{port}: {error.strerror or error}"


def _host(address: str) -> str:
    """The host of a Ray address.

    >>> _host("ray://10.0.0.5:10001"), _host("127.0.0.1:6379"), _host("auto")
    ('10.0.0.5', '127.0.0.1', 'auto')
    """
    return address.split("://")[-1].rsplit(":", 1)[0]


class RayUnavailableError(RuntimeError):
    """The Ray cluster named cannot be reached, or Ray is not installed."""


def _import_ray(address: str) -> ModuleType:
    if address == LOCAL or _host(address) in LOOPBACK_NAMES:
        # Ray turns a loopback address into the host's network address, where a cluster started on
        # loopback (`ray start --node-ip-address=127.0.0.1`) does not listen; this setting, read when
        # Ray is imported, keeps a single-machine Ray on loopback (as Ray does on macOS and Windows).
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
        import ray.data
    except ImportError as error:
        raise RayUnavailableError(
            f"Ray is not installed ({error}); install it with `pip install 'newsdesk[ray]'`"
        ) from error
    return ray
