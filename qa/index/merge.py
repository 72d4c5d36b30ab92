"""When segments are merged: a pure policy, tested with hand-made sizes.

Every sync adds a segment, so without merging a daily-updated archive would gather thousands of
them, and a search visits each. The policy is Lucene's LogMergePolicy: a segment's level is the
order of magnitude (base `MERGE_FACTOR`) of its live chunks; when `MERGE_FACTOR` adjacent segments
share a level they become one segment of the next level. Each chunk is so rewritten about
log_8(archive / batch) times over the archive's life, and a search visits at most
`MERGE_FACTOR - 1` segments per level. Only adjacent segments merge, so a segment's chunk ids
always ascend. A segment that has lost `MAX_DELETED` of its chunks to tombstones is rewritten alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MERGE_FACTOR = 8
FLOOR = 4_096  # segments smaller than this are all level 0
MAX_DELETED = 0.3


def level(live: int, floor: int = FLOOR, factor: int = MERGE_FACTOR) -> int:
    """The level of a segment of ``live`` chunks.

    >>> [level(n) for n in (1, 4_095, 4_096, 32_767, 32_768, 300_000)]
    [0, 0, 1, 1, 2, 3]
    """
    return 0 if live < floor else 1 + int(math.log(live / floor, factor) + 1e-9)


def plan_merges(
    sizes: Sequence[int], deleted: Sequence[int], factor: int = MERGE_FACTOR, floor: int = FLOOR
) -> list[range]:
    """Runs of adjacent segments to merge (positions, oldest first), given each segment's chunks
    and how many of them are tombstoned.

    >>> plan_merges([100] * 8, [0] * 8)
    [range(0, 8)]
    >>> plan_merges([50_000] + [100] * 7, [0] * 8)
    []
    >>> plan_merges([50_000, 100, 100], [20_000, 0, 0])
    [range(0, 1)]
    """
    live = [size - gone for size, gone in zip(sizes, deleted, strict=True)]
    runs: list[range] = []
    start = 0
    for end in range(1, len(live) + 1):
        if end == len(live) or level(live[end], floor, factor) != level(live[start], floor, factor):
            if end - start >= factor:
                runs.append(range(start, end))
            start = end
    merged = {i for run in runs for i in run}
    for i, (size, gone) in enumerate(zip(sizes, deleted, strict=True)):
        if i not in merged and size and gone / size >= MAX_DELETED:
            runs.append(range(i, i + 1))
    return sorted(runs, key=lambda run: run.start)


def optimize_plan(count: int) -> list[range]:
    """Everything into one segment (``newsdesk index --optimize``).

    >>> optimize_plan(3), optimize_plan(0)
    ([range(0, 3)], [])
    """
    return [range(0, count)] if count else []
