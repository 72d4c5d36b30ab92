"""One place that turns an `Answer` into what people and programs read: Markdown for the chat,
plain text for the terminal, HTML for the chat's source and article views, and a JSON-ready dict
for the API and ``newsdesk ask --json``.

>>> from qa.schema import Answer, Filters
>>> print(render_text(Answer("Who?", "", 0.0, 0.0, False, filters=Filters(date_to="2020-01-01"))))
I couldn't find that in the articles (searched only articles dated up to 2020-01-01;
a date filter leaves out undated articles).
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict

from qa.answers.confidence import confidence_words, shown_as_sure, shown_as_unsure
from qa.questions import looks_english
from qa.schema import Answer, Citation, Passage

NOT_FOUND = "I couldn't find that in the articles"
# A question that names one thing and asks nothing in particular about it (qa.answers.vague).
TOO_BROAD = "That question is too broad to answer with a quote from one article"
NARROW = "These articles match it best; ask about one of them:"
ENGLISH_ONLY = "Newsdesk reads questions in English: ask it in English."
# A question that asks yes or no gets the sentence that bears on it most (qa.answers.yes_no).
YES_NO = "I quote the articles rather than answer yes or no. What they say, for you to judge:"
# A how-many answer whose article gives other figures likely enough to be given themselves.
RIVALS = "The same article also gives"
# Characters that Markdown (and the HTML it may hold) would act on; a backslash shows them as text.
# Not "_": inside words (file names, ids) CommonMark leaves it alone, and API readers see no "\_".
_MARKDOWN_SPECIAL = re.compile(r"([\\`*{}\[\]<>#|~])")


def escape_markdown(text: str) -> str:
    """Article text shown as text inside Markdown: no markup, no HTML, and no stray backslashes
    before ordinary punctuation such as the hyphen of "two-day".

    >>> escape_markdown("<img src=x> *bold* [link](http://x) two-day")
    '\\\\<img src=x\\\\> \\\\*bold\\\\* \\\\[link\\\\](http://x) two-day'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def not_found(reply: Answer) -> str:
    """The honest no-answer line, naming a filter that may be why, and for a question that does
    not look English, that Newsdesk reads English; for a question too broad to answer, the line
    that says so (`narrow_to` lists the articles offered)."""
    lead = TOO_BROAD if reply.suggestions else NOT_FOUND
    filters = reply.filters
    if filters.active:
        undated = "; a date filter leaves out undated articles" if filters.date_from or filters.date_to else ""
        lead = f"{lead} (searched only articles {filters.describe()}{undated})"
    hint = "" if reply.suggestions or looks_english(reply.question) else f" {ENGLISH_ONLY}"
    return lead + (f". {NARROW}" if reply.suggestions else ".") + hint


def narrow_to(reply: Answer, markdown: bool) -> list[str]:
    """The articles offered to narrow a question too broad to answer, one line each: title and
    date (in the terminal, the id too)."""
    if markdown:
        return [f"- *{escape_markdown(s.title)}* — {s.date or 'undated'}" for s in reply.suggestions]
    return [f"  {s.title} — {s.date or 'undated'} [{s.article_id}]" for s in reply.suggestions]


def when(citation: Citation) -> str:
    """The article's date, or "undated"."""
    return citation.date or "undated"


def _means(citation: Citation, markdown: bool) -> str:
    """The day a relative date in the quote stands for, in brackets ("last week" -> " (the week
    of 29 July 2019)"); nothing when the quote holds none."""
    if not citation.resolved_date:
        return ""
    return f" ({escape_markdown(citation.resolved_date) if markdown else citation.resolved_date})"


def _split(citation: Citation) -> tuple[str, str, str]:
    """The cited sentence as (before, quote, after)."""
    offset = citation.start - citation.sentence_start
    sentence = citation.sentence
    return sentence[:offset], sentence[offset : offset + len(citation.quote)], sentence[offset + len(citation.quote) :]


def render_markdown(reply: Answer) -> str:
    """The chat's reply."""
    citation = reply.citation
    if not reply.found or citation is None:
        return "\n\n".join([not_found(reply), "\n".join(narrow_to(reply, markdown=True))]).strip()
    if reply.yes_no:
        return (
            f"{YES_NO}\n\n> {escape_markdown(citation.quote)}{_means(citation, markdown=True)}\n\n"
            f"*{escape_markdown(citation.title)}* — {when(citation)}"
        )
    before, quote, after = _split(citation)
    means = _means(citation, markdown=True)
    unsure = "Not sure — the closest I found: " if shown_as_unsure(reply.found, reply.confidence) else ""
    shown = (
        f"{unsure}**{escape_markdown(reply.text)}**{means}\n\n"
        f"> {escape_markdown(before)}**{escape_markdown(quote)}**{escape_markdown(after)}\n\n"
        f"*{escape_markdown(citation.title)}* — {when(citation)} · confidence {reply.confidence:.0%}, "
        f"{confidence_words(reply.confidence, bool(reply.rivals))}"
    )
    if reply.rivals:
        shown += f"\n\n{RIVALS}:\n" + "\n".join(
            f"- **{escape_markdown(c.quote)}**: {escape_markdown(c.sentence)}" for c in reply.rivals
        )
    if reply.corroborating:
        others = ", ".join(f"*{escape_markdown(c.title)}* ({when(c)})" for c in reply.corroborating)
        shown += f"\n\n{also_reported(reply)}: {others}"
    if reply.timeline:
        shown += "\n\nAs the story developed (latest first):\n" + "\n".join(
            f"- {when(c)}: **{escape_markdown(c.quote)}**{_means(c, markdown=True)} — *{escape_markdown(c.title)}*"
            for c in reply.timeline
        )
    return shown


def also_reported(reply: Answer) -> str:
    """ "Also reported in N other article(s)"."""
    count = len(reply.corroborating)
    return f"Also reported in {count} other article{'s' if count != 1 else ''}"


def render_text(reply: Answer, bold: tuple[str, str] = ("[", "]")) -> str:
    """The terminal's reply; ``bold`` marks the quote inside its sentence."""
    citation = reply.citation
    if not reply.found or citation is None:
        return "\n".join([not_found(reply), *narrow_to(reply, markdown=False)])
    link = f" {citation.url}" if citation.url else ""
    where = f"[{citation.article_id}, chars {citation.start}-{citation.end}]"
    source = f"source: {citation.title} — {when(citation)} {where}"
    if reply.yes_no:
        return "\n".join([YES_NO, f"  “{citation.quote}”{_means(citation, markdown=False)}", source + link])
    before, quote, after = _split(citation)
    means = _means(citation, markdown=False)
    unsure = "Not sure — the closest I found: " if shown_as_unsure(reply.found, reply.confidence) else ""
    lines = [
        unsure + reply.text + means,
        f"confidence {reply.confidence:.0%}, {confidence_words(reply.confidence, bool(reply.rivals))} "
        f"(score {reply.score:.2f})",
        source + link,
        f"  “{before}{bold[0]}{quote}{bold[1]}{after}”",
    ]
    if reply.rivals:
        lines.append(f"{RIVALS}:")
        lines += [f"  {c.quote}: “{c.sentence}”" for c in reply.rivals]
    if reply.corroborating:
        lines.append(f"{also_reported(reply)}:")
        lines += [f"  {c.title} — {when(c)} [{c.article_id}, chars {c.start}-{c.end}]" for c in reply.corroborating]
    if reply.timeline:
        lines.append("as the story developed (latest first):")
        lines += [
            f"  {when(c)}: {c.quote}{_means(c, markdown=False)} — {c.title} [{c.article_id}]" for c in reply.timeline
        ]
    return "\n".join(lines)


def answer_dict(reply: Answer, precision: dict[str, str] | None = None) -> dict:
    """The reply as plain data for programs: no passages, citations with their offsets, and, given
    ``precision`` (`Newsdesk.precision`), the numeric path each model took and why."""

    def cite(citation: Citation) -> dict:
        data = asdict(citation)
        data.pop("passage")
        data["chunk_id"] = citation.passage.chunk_id
        return data

    return {
        "question": reply.question,
        "found": reply.found,
        "text": reply.text,
        "confidence": round(reply.confidence, 4),
        "confidence_words": confidence_words(reply.confidence, bool(reply.rivals))
        if reply.found and not reply.yes_no
        else "",
        "sure": shown_as_sure(reply.found, reply.confidence, bool(reply.rivals)) and not reply.yes_no,
        "yes_no": reply.yes_no,
        "score": round(reply.score, 4),
        # What a person should read where the answer is not a span alone: why nothing was found,
        # or, for a yes-or-no question, that the sentence is for them to judge.
        "message": render_text(reply) if not reply.found or reply.yes_no else "",
        "filters": asdict(reply.filters),
        "citations": [cite(c) for c in reply.citations],
        "also_reported_in": len(reply.corroborating),
        "alternatives": [cite(c) for c in reply.alternatives],
        "timeline": [cite(c) for c in reply.timeline],
        "rivals": [cite(c) for c in reply.rivals],
        "suggestions": [asdict(s) for s in reply.suggestions],
        "passages_read": reply.passages_read,
        "passages_retrieved": len(reply.passages),
        **({"precision": precision} if precision is not None else {}),
    }


def passage_html(passage: Passage, mark: tuple[int, int] | None = None) -> str:
    """A passage with its title (a link when the article has a URL) and date; ``mark`` (offsets
    in the article) highlights the answer inline."""
    span = None if mark is None else (mark[0] - passage.start, mark[1] - passage.start)
    body = _marked(passage.text, span, "")
    return f'<div class="passage">{_heading(passage.title, passage.date, passage.url)}<p>{body}</p></div>'


def article_html(title: str, date: str, url: str, text: str, mark: tuple[int, int] | None = None) -> str:
    """A whole article, with the cited span marked (id ``cited-span``, so it can be scrolled to)."""
    body = _marked(text, mark, ' id="cited-span"')
    paragraphs = "".join(f"<p>{part}</p>" for part in body.split("\n") if part.strip())
    return f'<article class="article">{_heading(title, date, url)}{paragraphs}</article>'


def _marked(text: str, span: tuple[int, int] | None, attributes: str) -> str:
    """``text`` as HTML, with ``text[start:end]`` in a ``<mark class="answer">``."""
    if span is None:
        return html.escape(text)
    start, end = span
    marked = html.escape(text[start:end])
    return f'{html.escape(text[:start])}<mark class="answer"{attributes}>{marked}</mark>{html.escape(text[end:])}'


def _heading(title: str, date: str, url: str) -> str:
    name = html.escape(title)
    if url.startswith(("http://", "https://")):
        name = f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{name}</a>'
    date_html = f'<span class="source-date">{html.escape(date or "undated")}</span>'
    return f'<div class="source-title"><strong>{name}</strong> {date_html}</div>'
