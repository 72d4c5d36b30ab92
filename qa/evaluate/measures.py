"""What every evaluator shares: the default cut-offs k and percentiles of timings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_KS = (1, 3, 5, 10)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation; NaN for no values."""
    return float(np.percentile(values, 100 * q)) if len(values) else float("nan")
