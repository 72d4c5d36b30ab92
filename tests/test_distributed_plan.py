"""The pure parts of `newsdesk index --ray`: units of work, their order, what travels back."""

from __future__ import annotations

import json
import random

import pytest

from qa.index.distributed import RayOptions, decode_article, encode_article, in_unit_order, work_units
from qa.schema import Article, Chunk


def test_units_keep_plan_order_and_never_mix_files():
    ids = [f"a{i}" for i in range(10)]
    file_of = {i: ("one.jsonl" if int(i[1:]) < 7 else "two.json") for i in ids}
    units = work_units(ids, file_of, 3)
    assert [u["unit"] for u in units] == list(range(len(units)))
    assert [i for u in units for i in json.loads(u["ids"])] == ids
    assert [(u["file"], len(json.loads(u["ids"]))) for u in units] == [
        ("one.jsonl", 3),
        ("one.jsonl", 3),
        ("one.jsonl", 1),
        ("two.json", 3),
    ]


def test_results_in_any_order_come_out_in_unit_order():
    shuffled = list(range(50))
    random.Random(3).shuffle(shuffled)
    assert [r["unit"] for r in in_unit_order({"unit": u} for u in shuffled)] == list(range(50))
    with pytest.raises(RuntimeError, match="no result for unit 1"):
        list(in_unit_order({"unit": u} for u in (0, 2, 3)))


def test_an_article_travels_back_whole():
    article = Article("n1", "Zürich vote", "Voters said yes. Turnout was 48%.", "2024-03-03", "Wire", "", "n.jsonl")
    chunks = [Chunk("n1", 0, 0, 16, "Voters said yes."), Chunk("n1", 1, 17, 33, "Turnout was 48%.")]
    assert decode_article(encode_article(article, chunks)) == (article, chunks)


def test_options_are_checked():
    with pytest.raises(ValueError, match="workers"):
        RayOptions(workers=0)
