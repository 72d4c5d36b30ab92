"""Sync planning as a pure function (no files, no models): exact plans for hand-made states."""

from __future__ import annotations

from qa.index.plan import plan_sync


def entry(content: str, duplicate_of: str | None = None) -> dict:
    return {"hash": content, "duplicate_of": duplicate_of}


def test_a_new_index_embeds_everything_once_per_text():
    plan = plan_sync({"b": ("h1", "t"), "a": ("h2", "t"), "c": ("h3", "u")}, {})
    assert (plan.added, plan.updated, plan.removed, plan.unchanged) == (("b", "a", "c"), (), (), 0)
    assert plan.embed == ("a", "c") and plan.drop == frozenset() and plan.duplicates == 1
    assert plan.wanted["b"] == entry("h1", "a")


def test_nothing_changed_is_no_change():
    indexed = {"a": entry("h1"), "b": entry("h2")}
    plan = plan_sync({"a": ("h1", "t1"), "b": ("h2", "t2")}, indexed)
    assert plan.unchanged == 2 and plan.embed == () and plan.drop == frozenset()
    assert not plan.changes(indexed)


def test_add_change_and_remove_touch_only_those_articles():
    indexed = {"a": entry("h1"), "b": entry("h2"), "gone": entry("h9")}
    plan = plan_sync({"a": ("h1", "t1"), "b": ("h2b", "t2b"), "new": ("h3", "t3")}, indexed)
    assert (plan.added, plan.updated, plan.removed, plan.unchanged) == (("new",), ("b",), ("gone",), 1)
    assert plan.drop == frozenset({"b", "gone"}) and plan.embed == ("b", "new")
    assert plan.changes(indexed)


def test_when_the_indexed_copy_goes_its_duplicate_is_embedded():
    indexed = {"a": entry("h1"), "b": entry("h1", "a")}
    plan = plan_sync({"b": ("h1", "t")}, indexed)
    assert plan.removed == ("a",) and plan.drop == frozenset({"a"}) and plan.embed == ("b",)
    assert plan.wanted == {"b": entry("h1")}


def test_a_new_duplicate_of_an_indexed_article_embeds_nothing():
    indexed = {"a": entry("h1")}
    plan = plan_sync({"a": ("h1", "t"), "copy": ("h2", "t")}, indexed)
    assert plan.added == ("copy",) and plan.embed == () and plan.drop == frozenset()
    assert plan.wanted["copy"] == entry("h2", "a") and plan.changes(indexed)  # the table changes
