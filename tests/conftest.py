"""Shared fixtures: the real models, loaded once per test session, and small article folders."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

# The tests export the int8 embedder themselves, into a folder of their own, instead of trusting
# whatever a user's cache holds; set NEWSDESK_CACHE to reuse one across runs.
if "NEWSDESK_CACHE" not in os.environ:
    os.environ["NEWSDESK_CACHE"] = tempfile.mkdtemp(prefix="newsdesk-test-cache-")
    atexit.register(shutil.rmtree, os.environ["NEWSDESK_CACHE"], True)

from qa.embedding import Embedder
from qa.reader import Reader

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ID = "000_e30909366e7613cc"
SHARED = Path(os.environ.get("NEWSDESK_SHARED", ROOT.parent / "shared"))
ARTIFACTS = ROOT / "artifacts"

STORIES = {
    "chess": (
        "Carlsen wins chess final",
        "2021-12-10",
        "Magnus Carlsen won the world chess championship final in Dubai on Friday. "
        "He beat Ian Nepomniachtchi after eleven games. The prize fund was two million euros.",
    ),
    "flood": (
        "Floods hit Valencia",
        "2024-10-30",
        "Heavy rain caused flash floods in the Spanish region of Valencia on Tuesday. "
        "Rescue teams used helicopters to reach stranded drivers. Schools were closed for three days.",
    ),
    "moon": (
        "Lunar lander touches down",
        "2023-08-23",
        "India's Chandrayaan-3 lander touched down near the Moon's south pole on Wednesday. "
        "The rover Pragyan rolled out hours later to study the soil.",
    ),
}


KILL_AT_BATCH = """
import os, signal, sys
import qa.index.batches as batches
import qa.index.sync as sync
from qa.chunking import Chunker
from qa.embedding import Embedder

fatal, written = int(sys.argv[3]), []
write = batches.write_segment
def write_or_die(*args, **kwargs):  # SIGKILL while writing batch `fatal`: the batches before it committed
    written.append(1)
    if len(written) == fatal:
        os.kill(os.getpid(), signal.SIGKILL)
    return write(*args, **kwargs)
batches.write_segment = write_or_die
sync.sync_index(sys.argv[1], sys.argv[2], Chunker(), Embedder(), batch_chunks=int(sys.argv[4]))
"""


def kill_sync_at_batch(articles: Path, index_dir: Path, batch: int, batch_chunks: int = 16_384) -> None:
    """Run `sync_index` in another process and SIGKILL it as it writes its ``batch``-th batch (the
    earlier batches committed, that one not): a known moment, not a timer that may land anywhere."""
    finished = subprocess.run(
        [sys.executable, "-c", KILL_AT_BATCH, str(articles), str(index_dir), str(batch), str(batch_chunks)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert finished.returncode == -signal.SIGKILL, (
        f"the sync was not killed at batch {batch}: {finished.stderr[-2000:]}"
    )


def missing(reason: str) -> NoReturn:
    """A test whose data or tool is absent: skipped on a developer's machine, but a failure in CI
    (``CI=true``), where a skip would silently drop the only quality floors or browser tests."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason}; CI must provide it", pytrace=False)
    pytest.skip(reason)


def needs_shared(*parts: str) -> Path:
    """The path under ../shared, or (outside CI) a skip with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        missing(f"needs {path} (the read-only ../shared data), which is absent here")
    return path


def needs_chromium() -> Path:
    """Debian's Chromium, or (outside CI) a skip saying how to install it."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        missing("needs Debian's chromium (apt-get install chromium chromium-driver); .ci/run installs it")
    return chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that takes the real models (directly or through `desk`) as ``models``, so
    that mutation testing (pyproject.toml, [tool.mutmut]) runs only the fast ones."""
    for item in items:
        if {"embedder", "reader"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.models)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    model = Embedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def reader() -> Reader:
    model = Reader()
    model.warm_up()
    return model


def synced_desk(stories: dict[str, tuple[str, str, str]], folder: Path, embedder, reader):
    """A Newsdesk over ``stories`` (id -> title, date, text), one JSON file each, synced."""
    from qa import Newsdesk

    articles = folder / "articles"
    articles.mkdir()
    for key, (title, date, text) in stories.items():
        (articles / f"{key}.json").write_text(json.dumps({"id": key, "title": title, "date": date, "text": text}))
    desk = Newsdesk(articles_dir=articles, index_dir=folder / "index", embedding_model=embedder, reader=reader)
    desk.sync()
    return desk


def write_story(folder: Path, key: str, suffix: str = ".json") -> Path:
    title, date, text = STORIES[key]
    path = folder / f"{key}{suffix}"
    path.write_text(json.dumps({"id": key, "title": title, "date": date, "source": "Test Wire", "text": text}))
    return path


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    """A folder with the seed article and three short stories."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / f"{SEED_ID}.txt", folder)
    for key in STORIES:
        write_story(folder, key)
    return folder


@pytest.fixture()
def desk(articles: Path, tmp_path: Path, embedder: Embedder, reader: Reader):
    from qa import Newsdesk

    newsdesk = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    newsdesk.sync()
    return newsdesk
