from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa import Newsdesk
from qa.newsdesk import QuestionError
from tests.conftest import ROOT, SEED_ID, SEEDS


def check_citation(desk, reply):
    citation = reply.citation
    article = desk.article(citation.article_id)
    assert article.text[citation.start : citation.end] == citation.quote == reply.text
    assert article.text[citation.sentence_start : citation.sentence_start + len(citation.sentence)] == citation.sentence
    assert citation.sentence_start <= citation.start and citation.end <= citation.sentence_start + len(
        citation.sentence
    )
    passage = citation.passage
    assert passage.start <= citation.start and citation.end <= passage.end


def test_answers_the_seed_question_with_a_citation(desk):
    reply = desk.answer("Who will Putin meet during his visit?")
    assert reply.found and "Xi Jinping" in reply.text
    assert reply.citation.article_id == SEED_ID
    assert reply.citation.date == "2024-05-14"
    assert 0.5 <= reply.confidence <= 1.0
    check_citation(desk, reply)


@pytest.mark.parametrize(
    ("question", "expected", "article"),
    [
        ("Where was the chess championship final played?", "Dubai", "chess"),
        ("How long were schools closed in Valencia?", "three days", "flood"),
        ("Which rover rolled out of the lander?", "Pragyan", "moon"),
    ],
)
def test_answers_come_from_the_right_story(desk, question, expected, article):
    reply = desk.answer(question)
    assert reply.found and expected in reply.text and reply.citation.article_id == article
    check_citation(desk, reply)


def test_says_so_when_nothing_answers(desk):
    reply = desk.answer("What is the boiling point of liquid nitrogen?")
    assert not reply.found and reply.text == "" and reply.citation is None
    assert reply.confidence < 0.5 and reply.passages


def test_a_span_that_only_repeats_the_question_is_no_answer(desk, articles: Path):
    (articles / "manafort.txt").write_text(
        "Manafort sentenced\nPaul Manafort, the former campaign chairman, was sentenced on Thursday to "
        "47 months. He will serve his sentence in a federal prison, the judge said."
    )
    desk.sync()
    # The reader's best span here is "federal prison" (score 16.8, far above the threshold).
    echo = desk.answer("In which federal prison is Paul Manafort to serve his sentence?")
    assert not echo.found and all(c.quote != "federal prison" for c in echo.alternatives)
    where = desk.answer("Where will Manafort serve his sentence?")
    assert where.found and where.text == "a federal prison"


def test_follow_up_questions_use_the_conversation(desk):
    first = desk.answer("When will Putin visit China?")
    assert first.citation is not None or first.alternatives
    reply = desk.answer("Who will he meet there?", history=["When will Putin visit China?"])
    assert reply.found and "Xi Jinping" in reply.text


def test_date_filter_narrows_answers(desk):
    reply = desk.answer("Who will Putin meet during his visit?", date_to="2023-01-01")
    assert reply.citation is None or reply.citation.article_id != SEED_ID


@pytest.mark.parametrize("question", ["", "   \n ", "x" * 100_000])
def test_bad_questions_get_a_clear_error(desk, question):
    with pytest.raises(QuestionError, match=r"empty|limit"):
        desk.answer(question)


def test_status_and_staleness(desk, articles: Path):
    status = desk.status()
    assert (status.articles, status.stale) == (4, False)
    assert status.chunks >= 4 and status.embedding_model.endswith("all-MiniLM-L6-v2")
    assert status.embedding == {"precision": "int8", "max_tokens": 128}
    (articles / "new.txt").write_text("Late news\nThe late train arrived at noon.")
    assert desk.is_stale()


def test_answer_syncs_a_stale_index_at_start(articles: Path, tmp_path: Path, embedder, reader):
    first = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    first.sync()
    (articles / "late.txt").write_text("Train news\nThe night train to Vienna was cancelled because of snow.")
    fresh = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    reply = fresh.answer("Why was the night train to Vienna cancelled?")
    assert reply.found and "snow" in reply.text and reply.citation.article_id == "late"


def test_an_empty_articles_folder_answers_honestly(tmp_path: Path, embedder, reader):
    (tmp_path / "empty").mkdir()
    desk = Newsdesk(
        articles_dir=tmp_path / "empty", index_dir=tmp_path / "index", embedding_model=embedder, reader=reader
    )
    reply = desk.answer("Anything?")
    assert not reply.found and reply.passages == ()


def test_module_level_answer_uses_the_environment(tmp_path: Path):
    script = (
        "from qa import answer\n"
        "a = answer('Who will Putin meet during his visit?')\n"
        "b = answer('When does the visit begin?')\n"
        "from qa.newsdesk import default_newsdesk\n"
        "print(a.text, '|', a.citation.article_id, '|', default_newsdesk() is default_newsdesk())\n"
    )
    env = {
        "NEWSDESK_ARTICLES": str(SEEDS),
        "NEWSDESK_INDEX": str(tmp_path / "index"),
        "NEWSDESK_CACHE": os.environ["NEWSDESK_CACHE"],  # the tests' own, not the user's ~/.cache
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    text, article, shared = out.stdout.strip().splitlines()[-1].split(" | ")
    assert "Xi Jinping" in text and article == SEED_ID and shared == "True"
    assert (tmp_path / "index" / "CURRENT").is_file()
