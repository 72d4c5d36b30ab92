"""Cutting articles into sentence-aware, overlapping chunks with exact character offsets.

A chunk is a run of whole sentences of at most ``max_chars`` characters (a longer sentence is cut
at whitespace); consecutive chunks share ``overlap_sentences`` sentences so that an answer near a
boundary is whole in at least one chunk. Every chunk satisfies
``article.text[chunk.start:chunk.end] == chunk.text``.

>>> from qa.schema import Article
>>> article = Article("a1", "Title", "One sentence here. Another one follows! A third? Yes.")
>>> [(c.start, c.end, c.text) for c in Chunker(max_chars=40).split(article)]
[(0, 39, 'One sentence here. Another one follows!'), (19, 53, 'Another one follows! A third? Yes.')]
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from qa.errors import UsageError
from qa.schema import Article, Chunk

# A sentence ends at . ! ? (or …), optionally followed by closing quotes/brackets, then space, at
# a capital, digit or opening quote; a blank line always ends one.
_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*(?P<gap>\s+)(?=["'“‘(\[]?[A-Z0-9])|(?P<blank>\n\s*\n)""")
_NON_SPACE = re.compile(r"\S+")
_BLANK_LINE = re.compile(r"\n\s*\n")  # a paragraph ends every sentence, a quotation's too


# A full stop after a title or an initial ends no sentence: a citation read "Adamowicz was taken to
# the Medical University of Gdańsk, where Dr." (the #24 walk-through); "John F. Kennedy".
_TITLE_ABBREVIATIONS = frozenset("dr mr mrs ms prof gen gov sen rep lt col sgt capt rev".split())
_LAST_WORD = re.compile(r"(?:^|[\s(\[\"“'‘])([\w]+)\.\Z")
# Nor does a full stop inside a quotation ('offered "condolences to the families of those who lost
# their lives. May the injured recover soon."' was cut after "lives."), up to this length: a quote
# mark left open by mistake must not run a sentence on to the paragraph's end.
LONGEST_QUOTED_SENTENCE = 600


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each sentence, without surrounding whitespace.

    >>> text = 'Dr. Anna Berg met John F. Kennedy. He said "We won. We will win again." Then he left.'
    >>> [text[start:end] for start, end in sentence_spans(text)]
    ['Dr. Anna Berg met John F. Kennedy.', 'He said "We won. We will win again."', 'Then he left.']
    """
    return _split(text, whole_sentences=True)


def _split(text: str, whole_sentences: bool) -> list[tuple[int, int]]:
    """Sentences, or with ``whole_sentences`` off, pieces cut at every stop before a capital (also
    after "Dr." or inside a quotation), which is where chunks break (`Chunker`)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for boundary in _SENTENCE_END.finditer(text):
        gap = "gap" if boundary.group("gap") is not None else "blank"
        paragraph = gap == "blank" or _BLANK_LINE.search(boundary.group(gap)) is not None
        if whole_sentences and not paragraph and not _ends_sentence(text, position, boundary.start(gap)):
            continue
        _append_trimmed(text, position, boundary.start(gap), spans)
        position = boundary.end(gap)
    _append_trimmed(text, position, len(text), spans)
    return spans


def _ends_sentence(text: str, start: int, end: int) -> bool:
    """Whether the stop that ends ``text[start:end]`` ends a sentence: not one after a title or an
    initial, nor one inside a quotation that the sentence opened and has not closed."""
    last = _LAST_WORD.search(text[start:end])
    word = last.group(1) if last else ""
    if word.lower() in _TITLE_ABBREVIATIONS or (len(word) == 1 and word.isupper()):
        return False
    sentence = text[start:end]
    inside_quote = sentence.count('"') % 2 == 1 or sentence.count("“") > sentence.count("”")
    return not inside_quote or end - start > LONGEST_QUOTED_SENTENCE


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_at(text: str, start: int, end: int) -> tuple[int, int]:
    """The ``[start, end)`` of the sentence(s) that hold the span ``[start, end)``."""
    first, last = start, end
    for sentence_start, sentence_end in sentence_spans(text):
        if sentence_start <= start < sentence_end or (start <= sentence_start < end):
            first = min(first, sentence_start)
            last = max(last, sentence_end)
    return first, last


@dataclass(frozen=True)
class Chunker:
    """Splits articles into chunks; its settings go into the index manifest."""

    max_chars: int = 800
    overlap_sentences: int = 1

    def __post_init__(self) -> None:
        if self.max_chars < 20:
            raise UsageError("max_chars must be at least 20")
        if self.overlap_sentences < 0:
            raise UsageError("overlap_sentences must be >= 0")

    @property
    def settings(self) -> dict[str, int | str]:
        return {"method": "sentences", **asdict(self)}

    def split(self, article: Article) -> list[Chunk]:
        pieces = self._pieces(article.text)
        chunks: list[Chunk] = []
        first = 0
        while first < len(pieces):
            last = first
            while last + 1 < len(pieces) and pieces[last + 1][1] - pieces[first][0] <= self.max_chars:
                last += 1
            start, end = pieces[first][0], pieces[last][1]
            chunks.append(Chunk(article.id, len(chunks), start, end, article.text[start:end]))
            if last + 1 >= len(pieces):
                break
            first = max(first + 1, last + 1 - self.overlap_sentences)
        return chunks

    def _pieces(self, text: str) -> list[tuple[int, int]]:
        """Sentences, with any longer than ``max_chars`` cut at whitespace into parts that fit.
        Chunks still break after "Dr." and inside quotations, as in every index built before
        `sentence_spans` learnt not to: an index synced since keeps one chunking, and the
        measured answers stay those of the same passages (whole sentences as chunk boundaries
        moved the news questions' passages and their F1 by a point either way, at random)."""
        pieces: list[tuple[int, int]] = []
        for start, end in _split(text, whole_sentences=False):
            if end - start <= self.max_chars:
                pieces.append((start, end))
                continue
            piece_start = piece_end = start
            for word in _NON_SPACE.finditer(text, start, end):
                if word.end() - piece_start > self.max_chars and piece_end > piece_start:
                    pieces.append((piece_start, piece_end))
                    piece_start = word.start()
                while word.end() - piece_start > self.max_chars:  # a single word longer than a chunk
                    pieces.append((piece_start, piece_start + self.max_chars))
                    piece_start += self.max_chars
                piece_end = word.end()
            if piece_end > piece_start:
                pieces.append((piece_start, piece_end))
        return pieces
