"""The merge policy (Lucene's LogMergePolicy) as a pure function: exact plans at its boundaries."""

from __future__ import annotations

import pytest

from qa.index.merge import FLOOR, MAX_DELETED, MERGE_FACTOR, level, optimize_plan, plan_merges


def test_levels_are_orders_of_magnitude_above_the_floor():
    assert (FLOOR, MERGE_FACTOR, MAX_DELETED) == (4_096, 8, 0.3)
    assert [level(n) for n in (0, FLOOR - 1, FLOOR, FLOOR * 8 - 1, FLOOR * 8, FLOOR * 64)] == [0, 0, 1, 1, 2, 3]
    assert level(100, floor=10, factor=10) == 2 and level(99, floor=10, factor=10) == 1


def test_eight_adjacent_segments_of_one_level_merge_and_seven_do_not():
    assert plan_merges([100] * 7, [0] * 7) == []
    assert plan_merges([100] * 8, [0] * 8) == [range(0, 8)]
    assert plan_merges([100] * 9, [0] * 9) == [range(0, 9)]
    assert plan_merges([100] * 3, [0] * 3, factor=3) == [range(0, 3)]


def test_only_adjacent_segments_of_the_same_level_merge():
    sizes = [100] * 4 + [50_000] + [100] * 8
    assert plan_merges(sizes, [0] * len(sizes)) == [range(5, 13)]
    sizes = [5_000] * 8 + [100] * 8
    assert plan_merges(sizes, [0] * 16) == [range(0, 8), range(8, 16)]


def test_levels_count_live_chunks():
    # 8 segments of 5,000 with 1,000 tombstoned each are level 0 (4,000 live), like the small one.
    assert plan_merges([5_000] * 8, [1_000] * 8) == [range(0, 8)]
    assert plan_merges([5_000] * 7 + [100], [1_000] * 7 + [0]) == [range(0, 8)]
    assert plan_merges([5_000] * 7 + [100], [0] * 8) == []


def test_a_segment_that_lost_thirty_percent_is_rewritten_alone():
    assert plan_merges([50_000, 100], [15_000, 0]) == [range(0, 1)]
    assert plan_merges([50_000, 100], [14_999, 0]) == []
    assert plan_merges([0, 100], [0, 0]) == []  # an empty segment divides nothing
    # A segment already in a run is not planned twice, and runs come out oldest first.
    sizes = [100] * 8 + [50_000]
    assert plan_merges(sizes, [50] + [0] * 7 + [20_000]) == [range(0, 8), range(8, 9)]
    assert plan_merges(sizes[::-1], [20_000] + [0] * 7 + [50]) == [range(0, 1), range(1, 9)]


def test_optimize_merges_everything_into_one():
    assert optimize_plan(1) == [range(0, 1)] and optimize_plan(0) == []


def test_a_merge_factor_other_than_eight_sets_the_levels_of_every_segment():
    # 13,000 chunks: level 2 with factor 3 (4,096 x 3 = 12,288 or more), level 1 with factor 8.
    assert level(13_000, factor=3) == 2 and level(13_000) == 1
    assert plan_merges([13_000] * 3, [0] * 3, factor=3) == [range(0, 3)]
    assert plan_merges([13_000, 13_000, 5_000], [0] * 3, factor=3) == []  # 5,000 is level 1 either way


def test_sizes_and_deletions_must_pair_up():
    with pytest.raises(ValueError, match="zip"):
        plan_merges([100, 100], [0])
