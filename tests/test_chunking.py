from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.articles import read_articles
from qa.chunking import LONGEST_QUOTED_SENTENCE, Chunker, sentence_at, sentence_spans
from qa.schema import Article
from tests.conftest import SEEDS


def check_chunks(article: Article, chunker: Chunker) -> None:
    chunks = chunker.split(article)
    for position, chunk in enumerate(chunks):
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.index == position and chunk.article_id == article.id
        assert chunk.text.strip() == chunk.text and chunk.text
        assert chunk.end - chunk.start <= chunker.max_chars
    # Every non-space character of the article is in some chunk.
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(article.text) if not ch.isspace())


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=150),
            st.sampled_from([". ", "! ", "? ", "\n\n", " ", "… ", '." ', ".\n"]),
        ),
        max_size=25,
    ),
    max_chars=st.integers(20, 400),
    overlap=st.integers(0, 3),
)
def test_chunk_offsets_are_exact_on_generated_text(parts, max_chars, overlap):
    text = "".join(body + end for body, end in parts)
    check_chunks(Article("x", "t", text), Chunker(max_chars=max_chars, overlap_sentences=overlap))


def test_chunk_offsets_are_exact_on_the_seed():
    article = read_articles(SEEDS).articles[0]
    for chunker in (Chunker(), Chunker(max_chars=200, overlap_sentences=0), Chunker(max_chars=60, overlap_sentences=2)):
        check_chunks(article, chunker)


def test_chunks_hold_whole_sentences_and_overlap():
    text = "First one is here. Second one is here. Third one is here. Fourth one is here."
    chunks = Chunker(max_chars=40, overlap_sentences=1).split(Article("a", "t", text))
    assert [c.text for c in chunks] == [
        "First one is here. Second one is here.",
        "Second one is here. Third one is here.",
        "Third one is here. Fourth one is here.",
    ]


def test_a_word_longer_than_a_chunk_is_cut():
    text = "x" * 95
    chunks = Chunker(max_chars=40, overlap_sentences=0).split(Article("a", "t", text))
    assert [len(c.text) for c in chunks] == [40, 40, 15]


def test_sentence_spans_and_sentence_at():
    text = 'He said "Go." Then he left!\n\nA new paragraph'
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ['He said "Go."', "Then he left!", "A new paragraph"]
    start = text.index("left")
    s, e = sentence_at(text, start, start + 4)
    assert text[s:e] == "Then he left!"


@pytest.mark.parametrize(
    ("bad", "message"),
    [({"max_chars": 5}, "at least 20"), ({"max_chars": 19}, "at least 20"), ({"overlap_sentences": -1}, ">= 0")],
)
def test_chunker_rejects_bad_settings(bad, message):
    with pytest.raises(ValueError, match=message):
        Chunker(**bad)
    Chunker(max_chars=20, overlap_sentences=0)  # the least it takes


def test_a_stop_after_a_title_or_an_initial_ends_no_sentence():
    text = "Adamowicz was taken to the hospital, where Dr. Tomasz Stefaniak spoke. Mr. J. Smith agreed."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Adamowicz was taken to the hospital, where Dr. Tomasz Stefaniak spoke.",
        "Mr. J. Smith agreed.",
    ]
    start = text.index("Stefaniak")
    assert text[slice(*sentence_at(text, start, start + 9))].startswith("Adamowicz was taken")
    # any other word before a stop still ends a sentence, an abbreviation too
    assert len(sentence_spans("It was late in Oct. Snow fell. He left.")) == 3


def test_a_stop_inside_a_quotation_ends_no_sentence_unless_the_quote_runs_on_too_long():
    text = 'Modi offered "condolences to the families. May the injured recover soon." Then he left.'
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        'Modi offered "condolences to the families. May the injured recover soon."',
        "Then he left.",
    ]
    curly = "Modi offered “condolences. May they recover.” Then he left."
    assert len(sentence_spans(curly)) == 2
    balanced = 'He said "yes" twice. Then he left.'  # a closed quotation: the stop ends the sentence
    assert len(sentence_spans(balanced)) == 2
    stray = 'A stray " mark. ' + "Word " * (LONGEST_QUOTED_SENTENCE // 5) + "ends. The next one."
    assert sentence_spans(stray)[-1] == (stray.index("The next"), len(stray))


def test_chunks_still_break_where_every_index_so_far_broke_them():
    # Whole sentences would move chunk boundaries, and so every synced index's passages.
    text = "He saw Dr. Nowak today. " * 3
    pieces = Chunker(max_chars=20, overlap_sentences=0).split(Article("a", "t", text))
    assert [piece.text for piece in pieces[:2]] == ["He saw Dr.", "Nowak today."]


def test_quotation_marks_are_counted_and_a_paragraph_always_ends_a_sentence():
    three = 'He said "yes" and "we won. We will win again." Then he left.'
    assert [three[s:e] for s, e in sentence_spans(three)] == [
        'He said "yes" and "we won. We will win again."',
        "Then he left.",
    ]
    late = "Word " * 150 + 'He said "we won. We will win again." Then he left.'  # the quotation starts late
    assert late[slice(*sentence_spans(late)[-2])].startswith("Word") and sentence_spans(late)[-1][1] == len(late)
    assert len(sentence_spans('He said "we won.\n\nA new paragraph.')) == 2


def test_a_sentence_longer_than_a_chunk_is_cut_at_whitespace_within_it():
    text = "alpha beta gamma delta epsilon zeta. Next one."
    pieces = Chunker(max_chars=20, overlap_sentences=0).split(Article("a", "t", text))
    assert [p.text for p in pieces] == ["alpha beta gamma", "delta epsilon zeta.", "Next one."]
