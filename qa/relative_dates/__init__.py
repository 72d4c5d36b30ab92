"""Resolving relative date expressions ("on Thursday", "last week") against an article's date.

An extractive answer is quoted verbatim from an article, so a question such as "When will Putin
arrive?" is often answered with "Thursday", which means nothing without the article's date. This
module turns such an expression into the calendar day (or period) it denotes, counted from the
publication date, so that the answer can be shown as "Thursday, 16 May 2024".

News convention, and why it is followed here:

* A bare weekday ("on Tuesday") is the nearest such day around publication: wire copy avoids
  "last" and "next" and uses the weekday alone for anything within a week. Whether it lies before
  or after the publication date is carried by the verb: "said on Tuesday" points back, "will
  arrive on Thursday" points forward. So the tense of the sentence decides: past tense gives the
  most recent such day on or before publication, future tense the next one on or after it. With no
  clue, the past wins, because most news reports what has happened; the weekday of the
  publication date itself then resolves to that very day.
* The tense clue nearest the expression wins ("Officials said Putin will arrive on Thursday" is
  future: "will arrive" governs "Thursday", "said" is only attribution); a comma, a colon or a
  word such as "that", "and" or "while" between clue and expression counts as extra distance.
  "The weekend" follows the same rule; without a sentence the expression's own words are read.
* "last Friday" / "this past Friday" is the most recent Friday strictly before publication,
  "next Monday" / "this coming Monday" the first Monday strictly after it, and "this Monday" the
  Monday of the publication's own week. Weeks run Monday to Sunday (ISO 8601).
* "last week", "this month", "next year" denote the whole calendar period; "earlier this week"
  and "later this year" the part of the current period before or after publication.
* "two days ago", "in three weeks" are exact day arithmetic; "two months ago", "in two years"
  name the calendar month or year, since claiming a single day would be false precision.
* Absolute dates ("2 May 2024", "in 2023", "May 2") need no resolving and give ``None``, as does
  anything that is a duration rather than a date ("the past week", "for three days"), a weekday
  inside a name ("Sunday Times", "Super Tuesday") and a span holding two dates ("Monday and Tuesday").

Only the standard library is used; every function is pure and never raises on odd input.
"""

from qa.relative_dates.expressions import ResolvedDate, resolve_relative_date

__all__ = ["ResolvedDate", "resolve_relative_date"]
