from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qa import Newsdesk
from qa.embedding import Embedder
from qa.index import SyncProgress
from qa.newsdesk import QuestionError
from qa.reader import Reader
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


def test_follow_up_questions_use_the_conversation(desk, articles: Path):
    # An archive where the follow-up alone is ambiguous: the same words get a different answer
    # after each conversation, so with the conversation ignored one of them is wrong.
    (articles / "coach.txt").write_text(
        "Coach travels to Madrid\nCoach Leon Park will travel to Madrid next week. There he will meet the "
        "club's new owner, Maria Ruiz, to discuss the coming season."
    )
    desk.sync()
    reply = desk.answer("Who will he meet there?", history=["Where will Coach Leon Park travel next week?"])
    assert reply.found and reply.text == "Maria Ruiz"
    reply = desk.answer("Who will he meet there?", history=["When will Putin visit China?"])
    assert reply.found and reply.text == "Xi Jinping" and reply.question == "Who will he meet there?"
    coach = desk.answer("When will he arrive there?", history=["Where will Coach Leon Park travel?"])
    assert coach.citation is not None and coach.citation.article_id == "coach"


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
    assert status.chunks == 7 and status.embedding_model.endswith("all-MiniLM-L6-v2")  # the seed's 4, one a story
    assert status.embedding == {"precision": desk.embedder.precision, "max_tokens": 128}
    assert status.embedding["precision"] in ("int8", "fp32")  # "auto" as this CPU chose
    (articles / "new.txt").write_text("Late news\nThe late train arrived at noon.")
    assert desk.is_stale()


def test_answer_syncs_a_stale_index_at_start(articles: Path, tmp_path: Path, embedder, reader):
    first = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    first.sync()
    (articles / "late.txt").write_text("Train news\nThe night train to Vienna was cancelled because of snow.")
    fresh = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    reply = fresh.answer("Why was the night train to Vienna cancelled?")
    assert reply.found and "snow" in reply.text and reply.citation.article_id == "late"


def test_loading_and_looking_never_sync_only_a_question_or_sync_does(articles: Path, tmp_path: Path, embedder, reader):
    first = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    first.sync()
    (articles / "late.txt").write_text("Train news\nThe night train to Vienna was cancelled because of snow.")
    fresh = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", embedding_model=embedder, reader=reader)
    fresh.warm_up()  # loads the models: writes nothing
    assert fresh.judge is not None and fresh.article("late") is None
    assert "late" not in {entry["id"] for entry in fresh.list_articles()} and fresh.index.article_count == 4
    assert fresh.is_stale()
    untouched = Newsdesk(articles_dir=articles, index_dir=tmp_path / "none", embedding_model=embedder, reader=reader)
    untouched.warm_up()
    assert not (tmp_path / "none").exists()  # no index was built by loading the models
    assert fresh.answer("Why was the night train to Vienna cancelled?").citation.article_id == "late"


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


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"date_from": "yesterday"}, "The from date 'yesterday' is not a date"),
        ({"date_to": "yesterday"}, "The to date 'yesterday' is not a date"),
        ({"date_to": "2024-13-45"}, "not a calendar date"),
        ({"date_from": "2024-06-01", "date_to": "2024-05-01"}, "is after the to date"),
        ({"top_k": -3}, "top_k must be a whole number from 1 to 20"),
        ({"top_k": "4"}, "top_k must be a whole number"),
        ({"history": [5]}, "item 1 is int"),
        ({"history": "When will Putin visit China?"}, "a list of the earlier questions"),
    ],
)
def test_bad_options_get_a_clear_error_and_change_nothing(desk, options, message):
    generation = desk.index.generation
    with pytest.raises(QuestionError, match=message):
        desk.answer("Who will Putin meet during his visit?", **options)
    assert desk.index.generation == generation and not desk.is_stale()


def test_a_lone_surrogate_is_a_clear_error(desk):
    with pytest.raises(QuestionError, match="not valid text"):
        desk.answer("Who will Putin meet\udcff?")


def test_a_short_month_and_day_filter_as_the_full_date(desk):
    reply = desk.answer("Who will Putin meet during his visit?", date_from="2024-5-1")
    assert reply.found and reply.citation.article_id == SEED_ID  # 2024-05-14 is after 2024-05-01


def test_an_800_character_question_is_answered(desk):
    preamble = "I read the story about the diplomacy between the two countries, and I am curious. " * 9
    question = preamble[:761].rstrip(". ") + ". Who will Putin meet during his visit?"
    question = question.rjust(800, "I")
    assert len(question) == 800
    reply = desk.answer(question)
    assert reply.found and "Xi Jinping" in reply.text


def test_a_missing_articles_folder_is_a_clear_error(tmp_path: Path, embedder, reader):
    from qa.newsdesk import ArticlesFolderError

    desk = Newsdesk(
        articles_dir=tmp_path / "nope", index_dir=tmp_path / "index", embedding_model=embedder, reader=reader
    )
    with pytest.raises(ArticlesFolderError, match=r"no articles folder at .*nope: create it"):
        desk.answer("Anything?")


def test_answers_follow_an_index_updated_by_another_writer(desk, articles: Path):
    from qa.index import sync_index

    assert not desk.answer("Why was the night train to Vienna cancelled?").found
    (articles / "late.txt").write_text("Train news\nThe night train to Vienna was cancelled because of snow.")
    sync_index(articles, desk.index_dir, desk.chunker, desk.embedder)  # as `newsdesk index` would
    reply = desk.answer("Why was the night train to Vienna cancelled?")
    assert reply.found and "snow" in reply.text and reply.citation.article_id == "late"
    check_citation(desk, reply)


def test_questions_are_answered_while_a_sync_embeds(desk, articles: Path):
    import threading

    for number in range(300):
        (articles / f"bulk{number}.txt").write_text(
            f"Report {number}\n" + " ".join(f"Council meeting {number} discussed item {i}." for i in range(12))
        )
    embedding, answered = threading.Event(), threading.Event()

    def told(_state: SyncProgress) -> None:
        embedding.set()
        answered.wait(60)  # the sync holds still, mid-embedding, until the question is answered

    syncing = threading.Thread(target=desk.sync, kwargs={"on_progress": told})
    syncing.start()
    try:
        assert embedding.wait(120)
        reply = desk.answer("Who will Putin meet during his visit?")  # would wait 60 s behind the sync
        assert syncing.is_alive() and not answered.is_set()
        answered.set()
        assert reply.found and "Xi Jinping" in reply.text
    finally:
        answered.set()
        syncing.join()
    assert desk.index.article_count == 304


def test_ids_in_use_include_articles_not_yet_indexed(desk, articles: Path):
    (articles / "late.json").write_text('{"id": "late-story", "title": "Late", "text": "A late story."}')
    assert {"chess", "late-story"} <= desk.article_ids()  # what an upload must not reuse


class KeywordEmbedder(Embedder):
    """A custom embedder, as a user would plug one in: words hashed into 64 signed dimensions."""

    @property
    def name(self) -> str:
        return "keywords-64"

    @property
    def settings(self) -> dict[str, str | int | None]:
        return {"version": 1}

    @property
    def dimension(self) -> int:
        return 64

    def warm_up(self) -> None:
        pass

    def embed(self, texts, progress: bool = False):
        import zlib

        import numpy as np

        vectors = np.zeros((len(texts), 64), np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                code = zlib.crc32(word.strip(".,?!'\"").encode())
                vectors[row, code % 64] += 1.0 if code & 64 else -1.0
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def test_a_custom_embedder_is_an_extension_point(articles: Path, tmp_path: Path, reader):
    desk = Newsdesk(
        articles_dir=articles, index_dir=tmp_path / "index", embedding_model=KeywordEmbedder(), reader=reader
    )
    desk.sync()
    status = desk.status()
    assert (status.embedding_model, status.embedding) == ("keywords-64", {"version": 1})
    assert desk.search("world chess championship", top_k=1, mode="dense")[0].article_id == "chess"
    reply = desk.answer("Who will Putin meet during his visit?")
    assert reply.found and "Xi Jinping" in reply.text
    # Back to the bundled model: the index says it was built with another and rebuilds.
    report = Newsdesk(articles_dir=articles, index_dir=tmp_path / "index", reader=reader).sync()
    assert "keywords-64" in report.rebuilt and report.added == 4


def test_a_citation_quotes_the_passage_it_read_when_another_process_changed_the_article(desk, articles: Path):
    # Another writer commits in place (same generation) between this answer's search and its
    # citation: the article's text moved under the passage's offsets, so the sentence must come from
    # the passage that was read, never from whatever text now lies at those offsets.
    from qa.chunking import Chunker
    from qa.index import sync_index
    from qa.schema import Span

    reply = desk.answer("Who won the world chess championship?")
    passage = reply.citation.passage
    story = json.loads((articles / "chess.json").read_text())
    story["text"] = "An earlier paragraph that shifts every offset of the story by a good margin. " + story["text"]
    (articles / "chess.json").write_text(json.dumps(story))
    sync_index(articles, desk.index_dir, Chunker(), desk.embedder)
    at = reply.citation.start - passage.start
    span = Span(0, at, at + len(reply.text), reply.text, reply.score)
    citation = desk._cite(span, passage, desk._index)
    assert citation.quote == reply.text and reply.text in citation.sentence
    assert citation.sentence == reply.citation.sentence


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"retrieval": "hybird"}, "unknown retrieval mode 'hybird'; choose one of hybrid, dense, bm25"),
        ({"dense_kind": "hnsw"}, "unknown dense index kind 'hnsw'"),
        ({"min_confidence": 1.5}, "min_confidence is a probability"),
        ({"retrieval": "bm25", "dense_kind": "flat", "min_confidence": 0.7}, None),
    ],
)
def test_bad_settings_fail_when_newsdesk_is_made_not_at_the_first_question(tmp_path: Path, options, message):
    if message is None:  # good settings are kept, and nothing is loaded or indexed yet
        desk = Newsdesk(tmp_path / "articles", tmp_path / "index", **options)
        assert (desk.retrieval, desk.dense_kind, desk.min_confidence) == ("bm25", "flat", 0.7)
        assert not desk.index_dir.exists()
        return
    with pytest.raises(ValueError, match=re.escape(message)):
        Newsdesk(tmp_path / "articles", tmp_path / "index", **options)


@pytest.mark.parametrize("precision", ["fp16", "BF16"])
def test_an_unknown_reader_precision_is_refused(precision):
    with pytest.raises(ValueError, match=f"unknown reader precision '{precision}'; choose one of fp32, bf16, int8"):
        Reader(precision=precision)


def test_every_copy_of_an_article_is_listed_and_removable(desk, articles: Path):
    (articles / "putin-copy.txt").write_text((articles / f"{SEED_ID}.txt").read_text())
    desk.sync()
    listed = {entry["id"]: entry["duplicate_of"] for entry in desk.list_articles()}
    assert listed[SEED_ID] is None and listed["putin-copy"] == SEED_ID
    desk.remove_article(SEED_ID)  # the copy takes its place, and is listed as itself
    listed = {entry["id"]: entry["duplicate_of"] for entry in desk.list_articles()}
    assert SEED_ID not in listed and listed["putin-copy"] is None
    desk.remove_article("putin-copy")
    assert "putin-copy" not in {entry["id"] for entry in desk.list_articles()}
    assert desk.answer("Who will Putin meet during his visit?").text != "Xi Jinping"


def test_a_copy_can_be_removed_while_its_original_stays(desk, articles: Path):
    (articles / "putin-copy.txt").write_text((articles / f"{SEED_ID}.txt").read_text())
    desk.sync()
    desk.remove_article("putin-copy")
    assert (articles / ".removed" / "putin-copy.txt").exists() and (articles / f"{SEED_ID}.txt").exists()
    assert [e["id"] for e in desk.list_articles() if "Putin" in e["title"]] == [SEED_ID]


def test_a_markdown_article_dates_its_answers_from_its_front_matter(desk, articles: Path):
    (articles / "bridge.md").write_text(
        "# Harbour bridge reopens\nDate: 2024-05-21\n\nThe harbour bridge reopened on Thursday after "
        "eight months of repairs, the city said."
    )
    desk.sync()
    reply = desk.answer("When did the harbour bridge reopen?")
    assert reply.found and reply.text == "Thursday"
    assert reply.citation.date == "2024-05-21" and reply.citation.resolved_date == "Thursday, 16 May 2024"
