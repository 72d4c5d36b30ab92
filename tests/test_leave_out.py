"""`newsdesk eval e2e --leave-out`: questions asked again without their own article."""

from __future__ import annotations

import json
from pathlib import Path

from qa.evaluate import NewsQuestion
from qa.evaluate.leave_out import evaluate_leave_out
from tests.conftest import SEED_ID


def test_each_question_is_asked_without_its_article_and_the_folder_is_left_alone(desk, articles: Path):
    # Another article repeats the chess answer: without "chess" the question is still answerable,
    # so it is set aside. The seed's question has no other source: it becomes unanswerable.
    recap = {"id": "recap", "title": "Year in sport", "text": "In December Magnus Carlsen won the chess final again."}
    (articles / "recap.jsonl").write_text(json.dumps(recap) + "\n")
    desk.sync()
    before = {p.name: p.read_bytes() for p in articles.iterdir()}
    questions = [
        NewsQuestion(
            "q-chess", "Who won the world chess championship final?", ("Magnus Carlsen",), "chess", None, True
        ),
        NewsQuestion("q-seed", "Who will Putin meet during his visit?", ("Xi Jinping",), SEED_ID, None, True),
        NewsQuestion("q-none", "Who won the 2018 World Cup final?", (), "", None, False),
    ]
    report = evaluate_leave_out(desk, questions)
    assert report.set_aside == ("q-chess",) and report.asked == 1
    whole = [r for r in report.results if r.answerable]
    assert [r.id for r in whole] == ["q-chess", "q-seed"] and all(r.answered and r.correct for r in whole)
    [left_out] = [r for r in report.results if not r.answerable]
    assert left_out.id == "q-seed" and left_out.correct == (not left_out.answered)
    assert "Xi Jinping" not in left_out.text  # asked without the only article that says it
    assert report.no_answer_recall == (0.0 if left_out.answered else 100.0)
    assert {p.name: p.read_bytes() for p in articles.iterdir()} == before  # the user's folder untouched
    assert desk.answer("Who will Putin meet during his visit?").text == "Xi Jinping"
