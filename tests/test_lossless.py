"""Nothing valid is ever lost: JSON Lines split only at newlines, a file or folder the system
refuses to read now keeps the articles indexed from it, and a folder reached twice through links
is read once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.articles import article_files, read_articles
from qa.chunking import Chunker
from qa.index import Index, sync_index
from tests.conftest import ROOT

# U+2028, U+2029 and NEL are valid unescaped inside a JSON string; str.splitlines() breaks at them.
BREAKS = ["\u2028", "\u2029", "\u0085", "\x1c", "\x0b"]

SYNC_REPORT = """
import json, sys
from qa.chunking import Chunker
from qa.embedding import Embedder
from qa.index import sync_index
report = sync_index(sys.argv[1], sys.argv[2], Chunker(), Embedder())
print(json.dumps({"removed": report.removed, "added": report.added, "problems": list(report.problems)}))
"""


def records(count: int, breaks: list[str]) -> str:
    lines = [
        json.dumps(
            {"id": f"r{n}", "title": f"Story {n}", "text": f"Line one{brk}line two of story {n}."}, ensure_ascii=False
        )
        for n, brk in zip(range(count), breaks, strict=True)
    ]
    return "\n".join(lines) + "\n"


def test_json_lines_holding_unicode_line_breaks_lose_no_article(tmp_path: Path):
    (tmp_path / "wire.jsonl").write_text(records(len(BREAKS), BREAKS), encoding="utf-8")
    reading = read_articles(tmp_path)
    assert sorted(a.id for a in reading.articles) == [f"r{n}" for n in range(len(BREAKS))]
    assert reading.problems == ()
    assert {a.id: a.text for a in reading.articles}["r0"] == "Line one\u2028line two of story 0."


def test_removing_a_record_keeps_the_others_byte_for_byte(tmp_path: Path, embedder):
    from qa import Newsdesk

    folder = tmp_path / "articles"
    folder.mkdir()
    text = records(3, BREAKS[:3])
    (folder / "wire.jsonl").write_text(text, encoding="utf-8")
    desk = Newsdesk(articles_dir=folder, index_dir=tmp_path / "index", embedding_model=embedder)
    desk.sync()
    desk.remove_article("r1")
    kept = (folder / "wire.jsonl").read_text(encoding="utf-8")
    assert kept == "".join(line + "\n" for i, line in enumerate(text.split("\n")[:3]) if i != 1)
    assert desk.article_ids() == {"r0", "r2"}


def sync_without_permission_override(articles: Path, index_dir: Path) -> dict:
    """Sync in a process whose file permissions bind: as root, without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH (util-linux's setpriv), since root reads a mode-000 file regardless."""
    command = [sys.executable, "-c", SYNC_REPORT, str(articles), str(index_dir)]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_files_and_folders_that_cannot_be_read_keep_their_indexed_articles(tmp_path: Path, embedder):
    articles, index_dir = tmp_path / "articles", tmp_path / "index"
    (articles / "2024").mkdir(parents=True)
    (articles / "fire.txt").write_text("Fire in the port\nA fire broke out in the port warehouse on Monday.")
    (articles / "wire.jsonl").write_text(records(2, BREAKS[:2]), encoding="utf-8")
    (articles / "2024" / "vote.txt").write_text("Vote delayed\nThe council delayed its vote on the budget.")
    (articles / "2025").mkdir()
    (articles / "2025" / "ferry.txt").write_text("Ferry strike\nThe ferry crews went on strike on Monday.")
    sync_index(articles, index_dir, Chunker(), embedder)
    everything = {"fire", "r0", "r1", "vote", "ferry"}
    assert Index.open(index_dir).article_ids() == everything

    unreadable = [articles / "fire.txt", articles / "wire.jsonl", articles / "2024"]
    for path in unreadable:
        path.chmod(0)
    (articles / "2025").chmod(0o644)  # its names can be listed, its files not reached
    try:
        report = sync_without_permission_override(articles, index_dir)
    finally:
        for path in [*unreadable, articles / "2025"]:
            path.chmod(0o755)
    assert (report["removed"], report["added"]) == (0, 0)
    kept = [p for p in report["problems"] if "the articles indexed from it are kept" in p]
    assert sorted(p.split(":")[0] for p in kept) == ["2024/", "2025/", "fire.txt", "wire.jsonl"]
    assert all(str(tmp_path) not in problem for problem in report["problems"])  # no server paths
    assert Index.open(index_dir).article_ids() == everything

    readable_again = sync_index(articles, index_dir, Chunker(), embedder)
    assert (readable_again.removed, readable_again.added) == (0, 0)
    (articles / "fire.txt").unlink()  # really gone: now it goes
    assert sync_index(articles, index_dir, Chunker(), embedder).removed == 1
    assert Index.open(index_dir).article_ids() == everything - {"fire"}


@pytest.mark.parametrize("links", [["up"], ["self-a", "self-b"]])
def test_link_loops_are_read_once(tmp_path: Path, links: list[str]):
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "top.txt").write_text("Top story\nA story at the top.")
    (folder / "sub" / "inner.txt").write_text("Inner story\nA story in a subfolder.")
    for name in links:  # a link to the parent folder, or two links to the folder itself
        where = folder if name.startswith("self") else folder / "sub"
        (where / name).symlink_to(folder, target_is_directory=True)
    listing = article_files(folder, follow_links=False)
    assert [p.relative_to(folder).as_posix() for p in listing.files] == ["sub/inner.txt", "top.txt"]
    assert len(listing.refused) == len(links)
    assert all("already read" in problem for problem in listing.refused)
    reading = read_articles(folder)
    assert sorted(a.id for a in reading.articles) == ["inner", "top"]
