"""The evaluation's pictures: the reliability diagram of the confidence shown, and the no-answer
precision/recall curve over the confidence threshold (PNG files, by matplotlib, for the README)."""

from __future__ import annotations

from qa.evaluate.end_to_end import EndToEndReport
from qa.evaluate.leave_out import LeaveOutReport


def draw_reliability_diagram(report: EndToEndReport, path: str) -> None:
    """Confidence shown against the share of answers right, binned, with the count per bin."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qa.answers import reliability

    bins = reliability([r.confidence for r in report.results], [r.candidate_right for r in report.results])
    figure, (axis, counts) = plt.subplots(2, 1, figsize=(5, 5.5), height_ratios=(3, 1), sharex=True)
    axis.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    axis.plot([b.confidence for b in bins], [b.accuracy for b in bins], "o-", label="Newsdesk")
    axis.set_ylabel("share of answers right")
    axis.set_title(f"Confidence vs. accuracy ({report.questions} questions, ECE {report.calibration_error:.3f})")
    axis.legend(loc="upper left")
    axis.grid(alpha=0.3)
    counts.bar([(b.low + b.high) / 2 for b in bins], [b.count for b in bins], width=0.09)
    counts.set_xlabel("confidence shown")
    counts.set_ylabel("questions")
    counts.set_xlim(0, 1)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def draw_abstention_curve(report: LeaveOutReport, path: str) -> None:
    """No-answer precision against recall over the confidence threshold, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qa.evaluate import abstention_curve

    scores = sorted({r.confidence for r in report.results} | {report.threshold})
    curve = abstention_curve(report.results, scores)
    figure, axis = plt.subplots(figsize=(5, 4))
    axis.plot([r for _, _, r in curve], [p for _, p, _ in curve], marker=".", markersize=3)
    at = abstention_curve(report.results, [report.threshold])[0]
    axis.plot([at[2]], [at[1]], "o", color="red", label=f"threshold {report.threshold:.2f}")
    axis.set_xlabel("no-answer recall")
    axis.set_ylabel("no-answer precision")
    axis.set_title("Abstaining below a confidence (leave-out + answerable)")
    axis.set_xlim(0, 1.02)
    axis.set_ylim(0, 1.02)
    axis.grid(alpha=0.3)
    axis.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
