"""Front matter of text articles (qa/front_matter.py): exact fields and bodies, no files."""

from __future__ import annotations

import pytest

from qa.front_matter import front_matter


def test_a_fenced_block_keeps_a_body_of_several_lines():
    assert front_matter("---\ndate: 2024-05-21\n---\nFirst line.\nSecond line.") == (
        {"date": "2024-05-21"},
        "First line.\nSecond line.",
    )
    assert front_matter("---\n---\nBody.") == ({}, "Body.")  # an empty block is no front matter
    assert front_matter("---\ndate: 2024-05-21\nno closing fence") == ({}, "---\ndate: 2024-05-21\nno closing fence")


def test_fields_are_read_only_at_the_top():
    text = "Council meets\nThe council met on Monday.\nDate: 2024-01-01"
    assert front_matter(text) == ({}, text)


def test_a_blank_line_may_stand_between_the_title_and_the_fields():
    assert front_matter("# Bridge reopens\n\nDate: 2024-05-21\n\nThe bridge reopened.") == (
        {"date": "2024-05-21", "title": "Bridge reopens"},
        "The bridge reopened.",
    )


def test_a_file_of_fields_alone_has_an_empty_body():
    assert front_matter("Date: 2024-01-01\nSource: AP") == ({"date": "2024-01-01", "source": "AP"}, "")


@pytest.mark.parametrize(
    ("value", "read"),
    [("'AP'", "AP"), ('"AP"', "AP"), ("''", ""), ("'AP", "'AP"), ("'A'", "A"), ("XAPX", "XAPX"), ("A", "A")],
)
def test_quotes_around_a_value_are_taken_off(value: str, read: str):
    assert front_matter(f"---\nsource: {value}\n---\nBody.") == ({"source": read}, "Body.")


def test_a_first_paragraph_that_opens_like_a_field_is_text():
    text = "Storm\n\nSource: officials said the storm killed 3.\nMore text."
    assert front_matter(text) == ({}, text)


def test_an_empty_field_is_passed_over():
    assert front_matter("Source:\nDate: 2024-05-01\n\nBody.") == ({"date": "2024-05-01"}, "Body.")
