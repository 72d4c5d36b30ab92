"""Which other articles an answer cites as "also reported in", on the news questions: every
answer that cites one, each such article with why the same-story rule keeps or drops it
(`qa.answers.story.why_apart`, an undated article allowed), and the count of answers and
citations.

    python bench/corroboration.py              # as Newsdesk answers: only the answer's story
    python bench/corroboration.py --any-story  # as before: any article that gives the same words

Whether a citation is right is for the reader of the output to judge: the sentence is printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import QUESTIONS, stage
from qa import Newsdesk
from qa.answers import decision
from qa.answers.story import Report, why_apart
from qa.evaluate import load_news_questions
from qa.schema import Citation


def report(citation: Citation) -> Report:
    passage = citation.passage.text if citation.passage else ""
    return Report(citation.sentence, citation.title, passage, citation.date, citation.quote)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--any-story", action="store_true", help="cite any article that gives the same words")
    args = parser.parse_args()
    if args.any_story:
        decision.confirming = lambda _question, answer, _passages: answer.candidate.supporters  # type: ignore[assignment]
    articles, index_dir = stage("news")
    desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True)
    answers = cited = 0
    for question in load_news_questions(QUESTIONS):
        reply = desk.answer(question.question)
        if not reply.found or not reply.corroborating:
            continue
        answers += 1
        own = reply.citation
        print(f"{question.question} -> {reply.text!r} ({own.article_id}, {own.date})")
        for other in reply.corroborating:
            cited += 1
            apart = why_apart(question.question, report(own), report(other), undated=True)
            print(f"    also {other.article_id} {other.date} {other.title[:60]!r}: {apart or 'same story'}")
            print(f"        {other.sentence[:150]!r}")
    print(f"\n{answers} answers cite {cited} other articles ({'any story' if args.any_story else 'same story'})")


if __name__ == "__main__":
    main()
