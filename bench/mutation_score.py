"""The mutation score of each pure module, from the last ``mutmut run`` (configured in
pyproject.toml's [tool.mutmut]): killed mutants over all mutants of the module, "no tests" and
timeouts counted as not killed.

    .venv/bin/mutmut run && python bench/mutation_score.py           # a Markdown table for the README
    python bench/mutation_score.py --survivors qa.index.merge         # which mutants lived
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# "    qa.index.merge.x_plan_merges__mutmut_12: survived" (methods: x´Class´method)
_LINE = re.compile(r"^\s*(?P<name>[\w.]+?)\.x[_ǁ]\S*?__mutmut_\d+: (?P<status>.+?)\s*$")


def results() -> list[tuple[str, str, str]]:
    """(module, mutant, status) for every mutant of the last run."""
    mutmut = Path(sys.executable).with_name("mutmut")
    shown = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True)
    found = []
    for line in shown.stdout.splitlines():
        match = _LINE.match(line)
        if match:
            found.append((match.group("name"), line.strip().split(":")[0], match.group("status")))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--survivors", metavar="MODULE", help="list the mutants of MODULE that were not killed")
    args = parser.parse_args()
    rows = results()
    if not rows:
        sys.exit("no mutmut results: run `.venv/bin/mutmut run` first")
    if args.survivors:
        for module, mutant, status in rows:
            if module == args.survivors and status != "killed":
                print(f"{mutant}: {status}  (mutmut show {mutant})")
        return
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for module, _, status in rows:
        counts[module][status] += 1
    print("| module | mutants | killed | survived | no tests | score |")
    print("|---|---|---|---|---|---|")
    for module, count in sorted(counts.items()):
        total = sum(count.values())
        score = 100 * count["killed"] / total
        print(f"| {module} | {total} | {count['killed']} | {count['survived']} | {count['no tests']} | {score:.1f}% |")


if __name__ == "__main__":
    main()
