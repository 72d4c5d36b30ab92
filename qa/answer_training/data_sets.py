"""The questions the answer model is trained on: SQuAD v1.1 train articles the shipped reader never
trained on (over an archive of their paragraphs and distractors), and the news calibration half."""

from __future__ import annotations

import json
from pathlib import Path

from qa.answer_training.examples import Question


def squad_training_archive(
    squad_train: str | Path, folder: Path, heldout_articles: int = 8, distractor_articles: int = 40
) -> list[Question]:
    """Write an archive of SQuAD v1.1 train paragraphs (one article each) to ``folder`` and return
    the questions of the last ``heldout_articles`` articles (which the shipped reader never trained
    on); the ``distractor_articles`` before them are there to be retrieved wrongly."""
    data = json.loads(Path(squad_train).read_text(encoding="utf-8"))["data"]
    chosen = data[-(heldout_articles + distractor_articles) :]
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[Question] = []
    lines = []
    for number, article in enumerate(chosen):
        title = article["title"].replace("_", " ")
        heldout = number >= distractor_articles
        for paragraph_number, paragraph in enumerate(article["paragraphs"]):
            article_id = f"squad-{number:03d}-{paragraph_number:03d}"
            lines.append(json.dumps({"id": article_id, "title": title, "text": paragraph["context"]}))
            if not heldout:
                continue
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa["answers"])
                start = int(qa["answers"][0]["answer_start"])
                questions.append(Question(qa["id"], qa["question"], answers, article_id, start, title))
    (folder / "squad-paragraphs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return questions


def news_training_questions(path: str | Path) -> list[Question]:
    """The calibration half of the public news questions (`split_by_article`), as `Question`s;
    an unanswerable one has no answers."""
    from qa.evaluate import load_news_questions, split_by_article

    return [
        Question(
            q.id,
            q.question,
            q.answers if q.answerable else (),
            q.article_id,
            q.answer_start if q.answerable else None,
            q.article_id,
        )
        for q in split_by_article(load_news_questions(path), "calibration")
    ]
