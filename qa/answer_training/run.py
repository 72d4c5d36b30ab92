"""Fitting the answer model end to end (`newsdesk train-answer-model`): the reader's candidates
over the news questions' calibration half and over SQuAD training questions (each asked in four
settings, kept resumably in a JSON Lines file), then the logistic regression and its threshold."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from qa.answer_training.data_sets import news_training_questions, squad_training_archive
from qa.answer_training.examples import make_examples
from qa.answer_training.fitting import fit
from qa.answers.selective import SelectiveModel
from qa.newsdesk import Newsdesk
from qa.questions import DEFAULT_TOP_K


def examples_file(work: Path, reader: str | None) -> Path:
    """Where the candidates of ``reader`` (None: the shipped one) read over Newsdesk's passages
    are kept: another reader's, or another number of passages, in a file of their own, so that
    resuming never mixes them (after Newsdesk went from 5 passages to 4, a refit would have resumed
    from examples read over 5).

    >>> examples_file(Path("w"), None).name
    'examples-top4.jsonl'
    """
    reading = f"top{DEFAULT_TOP_K}"
    if reader is None:
        return work / f"examples-{reading}.jsonl"
    identity = str(Path(reader).resolve()) if Path(reader).exists() else reader
    return work / f"examples-{hashlib.sha256(identity.encode()).hexdigest()[:10]}-{reading}.jsonl"


def train_answer_model(
    news: Newsdesk,
    news_questions_path: str | Path,
    squad_path: str | Path,
    work: Path,
    examples: Path,
    squad_questions: int | None,
    min_confidence_default: float | None,
    features: Sequence[str],
    command: str,
) -> SelectiveModel:
    """The answer model fitted on ``news`` (an archive of the news articles, read by the reader
    being judged) and a SQuAD archive built in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    news_questions = news_training_questions(news_questions_path)
    news_examples = list(make_examples(news, news_questions, examples, tag="news"))
    print(f"news: {len(news_questions)} questions (calibration half), {len(news_examples)} candidates", file=sys.stderr)
    asked = squad_training_archive(squad_path, work / "squad-articles")[:squad_questions]
    squad = Newsdesk(
        articles_dir=work / "squad-articles", index_dir=work / "squad-index", reader=news.reader, auto_sync=False
    )
    squad.sync(progress=True)
    squad_examples = list(make_examples(squad, asked, examples, tag="squad"))
    print(f"squad: {len(asked)} questions, {len(squad_examples)} candidates", file=sys.stderr)
    trained = {
        "news_questions": len(news_questions),
        "squad_questions": len(asked),
        "candidates": len(news_examples) + len(squad_examples),
        "settings": sorted({e.setting for e in news_examples + squad_examples}),
        "calibrated_on": "the news questions' calibration half, weighted to 12.5% unanswerable",
        "command": command,
    }
    return fit(news_examples + squad_examples, news_examples, min_confidence_default, trained, features=features)
