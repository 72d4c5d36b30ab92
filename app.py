"""Newsdesk's browser chat: ``python app.py`` (or ``newsdesk serve``), then open http://127.0.0.1:7860.

The chat lives in the package (`qa.chat`, options in `qa.serving`); this file only starts it.
"""

from qa.serving import main

if __name__ == "__main__":
    raise SystemExit(main())
