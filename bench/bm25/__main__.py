"""``python -m bench.bm25``: see the package."""

from bench.bm25.measure import main

main()
