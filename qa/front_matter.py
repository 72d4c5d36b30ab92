"""The small front matter a .txt or .md article may open with, to carry its date, source and URL.

Two forms, at the very top of the file (documented in the README):

- a YAML-style block between two ``---`` lines, of ``key: value`` lines;
- ``Key: value`` lines (after an optional title line or Markdown heading), ended by a blank line
  or the first line that is not one. The customer's ``date YYYY-MM-DD`` line counts as one.

Keys: ``title``, ``date``, ``source``, ``url`` (any case); others are left in the text. Only the
top of the file is read this way: "Source: the ministry" in a later paragraph is text.

>>> fields, body = front_matter("# Bridge reopens\\nDate: 2024-05-21\\nSource: City Desk\\n\\nThe bridge reopened.")
>>> fields, body
({'date': '2024-05-21', 'source': 'City Desk', 'title': 'Bridge reopens'}, 'The bridge reopened.')
>>> front_matter("---\\ntitle: 'Rain'\\ndate: 2024-05-21\\nurl: https://x.org/a\\n---\\nIt rained.")
({'title': 'Rain', 'date': '2024-05-21', 'url': 'https://x.org/a'}, 'It rained.')
>>> front_matter("date 2024-05-14\\nBEIJING (AP) Putin will visit.")
({'date': '2024-05-14'}, 'BEIJING (AP) Putin will visit.')
>>> front_matter("Storm hits coast\\n\\nA storm hit the coast on Monday.")
({}, 'Storm hits coast\\n\\nA storm hit the coast on Monday.')
"""

from __future__ import annotations

import re

KEYS = ("title", "date", "source", "url")
_FIELD = re.compile(r"^(title|date|source|url)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_DATE_LINE = re.compile(r"^date\s+(\d{4}-\d{2}-\d{2})\s*$", re.IGNORECASE)  # the seed's format
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_FENCE = "---"


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """(the fields found at the top of ``text``, the text after them). No fields: ``text`` as it
    was (stripped)."""
    text = text.strip()
    lines = text.split("\n")
    if lines[0].strip() == _FENCE:  # a block, or (never closed) no front matter at all
        return _fenced(lines) or ({}, text)
    return _field_lines(lines, text)


def _fenced(lines: list[str]) -> tuple[dict[str, str], str] | None:
    for end in range(1, len(lines)):
        if lines[end].strip() == _FENCE:
            fields = {}
            for line in lines[1:end]:
                match = _FIELD.match(line.strip())
                if match:
                    fields[match.group(1).lower()] = _unquoted(match.group(2))
            return fields, "\n".join(lines[end + 1 :]).strip()
    return None  # no closing fence: it is text


def _field_lines(lines: list[str], text: str) -> tuple[dict[str, str], str]:
    """Fields at the top: right after an optional title line, or after it and a blank line when
    they stand as a block of their own (a paragraph that opens with "Source: officials said..."
    followed by more text is body, not fields). An empty field ("Source:") is passed over."""
    number, title = 0, None
    if lines and _field(lines[0].strip()) is None:
        title, number = HEADING.sub("", lines[0]).strip(), 1  # a title line may come first
        gap = number
        while gap < len(lines) and not lines[gap].strip():
            gap += 1
        if gap > number and not _a_block_of_fields(lines, gap):
            return {}, text
        number = gap
    fields: dict[str, str] = {}
    while number < len(lines) and (field := _field(lines[number].strip())) is not None:
        if field[1]:
            fields.setdefault(*field)
        number += 1
    if not fields:
        return {}, text
    if title:
        fields.setdefault("title", title)
    return fields, "\n".join(lines[number:]).strip()


def _a_block_of_fields(lines: list[str], start: int) -> bool:
    """Whether the lines from ``start`` are fields up to a blank line or the end."""
    end = start
    while end < len(lines) and lines[end].strip() and _field(lines[end].strip()) is not None:
        end += 1
    return end > start and (end == len(lines) or not lines[end].strip())


def _field(line: str) -> tuple[str, str] | None:
    """(key, value) of a field line (the value may be empty), or None for a line of text."""
    match = _FIELD.match(line)
    if match:
        return match.group(1).lower(), _unquoted(match.group(2))
    dated = _DATE_LINE.match(line)
    return ("date", dated.group(1)) if dated else None


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
