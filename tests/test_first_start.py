"""The chat's first start over a new archive: questions are answered from the first passages
indexed while the rest are embedded, and the status line says so."""

from __future__ import annotations

from pathlib import Path

from qa import Newsdesk
from qa.chat.indexing import Indexing
from qa.chat.panels import status_line
from qa.index import SyncProgress
from tests.test_index import _chronicle


def test_a_new_archive_answers_from_its_first_part_while_the_rest_is_indexed(tmp_path: Path, embedder, reader):
    articles = tmp_path / "articles"
    articles.mkdir()
    _chronicle(articles, 12)
    desk = Newsdesk(articles, tmp_path / "index", embedder, reader)
    assert not desk.has_index()
    indexing = Indexing(first_chunks=3)
    seen: list[tuple[str, str, str]] = []
    told = indexing.tell

    def tell(state: SyncProgress) -> None:  # what the page would show at each progress report
        told(state)
        if indexing.partial() and not seen:
            reply = desk.answer("How old was the oven of baker number 0?")
            seen.append((status_line(desk, indexing), reply.text, reply.citation.article_id if reply.found else ""))

    indexing.tell = tell  # type: ignore[method-assign]
    assert indexing.problem() is not None  # before anything is indexed: wait
    indexing.build(desk)
    assert indexing.error == "" and indexing.ready.is_set() and indexing.problem() is None
    (line, text, cited), *_ = seen
    assert line.startswith("**Answering from 3 of 12 articles** while the rest are indexed: ")
    assert "9 articles" in line
    assert "2" in text and cited == "town-00"
    assert desk.status().articles == 12 and not desk.is_stale()
    assert status_line(desk, indexing).startswith("**12** articles")


def test_an_archive_with_an_index_is_synced_whole(tmp_path: Path, embedder, reader):
    articles = tmp_path / "articles"
    articles.mkdir()
    _chronicle(articles, 4)
    desk = Newsdesk(articles, tmp_path / "index", embedder, reader)
    desk.sync()
    _chronicle(articles, 8)
    indexing = Indexing(first_chunks=1)
    partial: list[bool] = []
    told = indexing.tell
    indexing.tell = lambda state: (partial.append(indexing.partial()), told(state))  # type: ignore[method-assign]
    indexing.build(desk)
    assert partial and not any(partial) and desk.status().articles == 8
