"""Sync planning, a pure function of the folder's state and the index's: what to add, update,
remove and embed. No files, no models: tested with hand-made states.

>>> plan = plan_sync({"a": ("h1", "t1"), "b": ("h2", "t2")}, {"a": {"hash": "h0", "duplicate_of": None}})
>>> plan.added, plan.updated, plan.removed, plan.unchanged, sorted(plan.drop), plan.embed
(('b',), ('a',), (), 0, ['a'], ('a', 'b'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncPlan:
    """What a sync does. ``wanted`` becomes the manifest's article table."""

    wanted: dict[str, dict]  # id -> {"hash": content hash, "duplicate_of": id or None}
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    drop: frozenset[str]  # indexed articles whose chunks go (removed, changed, or now duplicates)
    embed: tuple[str, ...]  # articles to chunk and embed, in folder order

    @property
    def duplicates(self) -> int:
        return sum(1 for entry in self.wanted.values() if entry["duplicate_of"] is not None)

    def changes(self, indexed: Mapping[str, dict]) -> bool:
        """Whether anything, chunks or the article table, differs from ``indexed``."""
        return bool(self.drop or self.embed) or self.wanted != dict(indexed)


def canonical_ids(folder: Mapping[str, tuple[str, str]]) -> dict[str, str | None]:
    """For each article, the id of the article with the same text that is indexed in its place
    (the smallest id among them), or None for the one indexed.

    >>> canonical_ids({"b": ("h1", "same"), "a": ("h2", "same"), "c": ("h3", "other")})
    {'b': 'a', 'a': None, 'c': None}
    """
    first_by_text: dict[str, str] = {}
    for article_id in sorted(folder):
        first_by_text.setdefault(folder[article_id][1], article_id)
    return {i: (None if first_by_text[text] == i else first_by_text[text]) for i, (_, text) in folder.items()}


def plan_sync(folder: Mapping[str, tuple[str, str]], indexed: Mapping[str, dict]) -> SyncPlan:
    """``folder``: article id -> (content hash, text hash), in reading order; ``indexed``: the
    manifest's article table (empty for a new index)."""
    duplicate_of = canonical_ids(folder)
    wanted = {i: {"hash": content, "duplicate_of": duplicate_of[i]} for i, (content, _) in folder.items()}
    added = tuple(i for i in wanted if i not in indexed)
    removed = tuple(i for i in indexed if i not in wanted)
    updated = tuple(i for i in wanted if i in indexed and indexed[i]["hash"] != wanted[i]["hash"])
    was_indexed = {i for i, entry in indexed.items() if entry["duplicate_of"] is None}
    to_index = {i for i, entry in wanted.items() if entry["duplicate_of"] is None}
    drop = frozenset(i for i in was_indexed if i not in to_index or i in updated)
    embed = tuple(i for i in wanted if i in to_index and (i not in was_indexed or i in updated))
    return SyncPlan(wanted, added, updated, removed, len(wanted) - len(added) - len(updated), drop, embed)
