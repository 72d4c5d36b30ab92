"""The page's style and the scripts that keep the answer in view."""

from __future__ import annotations

CSS = """
mark.answer { background: #fde68a; color: #111827; padding: 0 .15em; border-radius: .2em; }
.source-title a { color: #1d4ed8; }
.source-date { color: #374151; margin-left: .5em; }
#article-view .article { max-height: 22rem; overflow-y: auto; padding-right: .5rem; }
#filter-note { min-height: 1.5em; }
#chat .top-panel { position: static; justify-content: flex-end; }  /* never over the reply's text */
#to-source { display: none; }
#filter-note .filter-error { color: #991b1b; font-weight: 600; }
footer, footer a, footer button { color: #1f2937 !important; opacity: 1 !important; }
@media (max-width: 640px) {
  #chat { height: 340px !important; }
  #to-source { display: block; text-align: right; }
  #article-list td:nth-child(3), #article-list th:nth-child(3) { white-space: nowrap; font-size: .75rem; }
  .examples, .examples * { white-space: normal !important; max-width: 100% !important; }
}
"""


# After a reply arrives, show its first line (the answer) at the top of the conversation box, and
# the box in the page: on a phone Gradio's autoscroll showed the reply's end (the title and
# confidence) with the answer above the fold.
SCROLL_TO_ANSWER = """() => {
  const show = () => {
    const wrap = document.querySelector('#chat .bubble-wrap');
    const rows = document.querySelectorAll('#chat .message-row.bot-row');
    const last = rows[rows.length - 1];
    if (!wrap || !last) return;
    wrap.scrollTop += last.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
    const top = last.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 120) window.scrollBy(0, top - 80);
  };
  for (const wait of [60, 250, 600]) setTimeout(show, wait);  // after Gradio has drawn the reply
}"""


SCROLL_TO_SPAN = """() => { setTimeout(() => {
  const box = document.querySelector('#article-view .article');
  const mark = document.querySelector('#article-view #cited-span');
  if (box && mark) { box.scrollTop = mark.offsetTop - box.offsetTop - box.clientHeight / 3; }
}, 50); }"""
