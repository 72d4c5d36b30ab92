"""The conversations of two browser walk-throughs (2026-12-06; `bench/data/walkthrough_conversations.json`:
22 from the first, 5 from the second; questions written by testers over the seed + the 336
Wikinews articles), asked again through
`Newsdesk.answer` with their history, with and without a rule, printing each turn the rule
changes: what was shown before and after (found, words, confidence, article). Whether a change is
right is for the reader of the output to judge, by reading the article.

    python bench/conversation_replay.py                 # the topic rule (qa.answers.story.on_topic)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import stage
from qa import Newsdesk
from qa.answers import decision

CONVERSATIONS = Path(__file__).resolve().parent / "data" / "walkthrough_conversations.json"
Turn = tuple[str, tuple[str, ...], bool, str, float, str]


def replay(desk: Newsdesk, conversations: list[list[str]]) -> list[Turn]:
    turns: list[Turn] = []
    for conversation in conversations:
        for number, question in enumerate(conversation):
            reply = desk.answer(question, history=conversation[:number])
            cited = reply.citation.article_id if reply.citation else ""
            turns.append(
                (
                    question,
                    tuple(conversation[:number]),
                    reply.found,
                    reply.text[:60],
                    round(reply.confidence, 2),
                    cited,
                )
            )
    return turns


def main() -> None:
    conversations = json.loads(CONVERSATIONS.read_text())
    articles, index_dir = stage("news")
    desk = Newsdesk(articles_dir=articles, index_dir=index_dir, follow_links=True)
    with_rule = replay(desk, conversations)
    decision.on_topic = lambda *_: True  # type: ignore[assignment]
    without = replay(desk, conversations)
    changed = 0
    for before, after in zip(without, with_rule, strict=True):
        if before[2:] != after[2:]:
            changed += 1
            print(f"{before[0]}  (after: {' / '.join(before[1][-2:])})")
            print(f"    without the topic rule: {before[2:]}")
            print(f"    with it:                {after[2:]}")
    print(f"\n{len(conversations)} conversations, {len(with_rule)} turns; the topic rule changed {changed}")


if __name__ == "__main__":
    main()
