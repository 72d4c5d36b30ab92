"""The chat's page: its parts laid out, and wired to `ChatHandlers`.

Left, the filters (dates, source) and the conversation; right, the cited passage, the whole
article, the other passages read, the upload panel (unless read-only) and the archive list."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from qa.articles import ARTICLE_SUFFIXES
from qa.chat.handlers import ChatHandlers
from qa.chat.indexing import Indexing
from qa.chat.panels import filter_note
from qa.chat.refusals import strict_text, upload_field
from qa.chat.style import SCROLL_TO_ANSWER, SCROLL_TO_SPAN
from qa.newsdesk import Newsdesk
from qa.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES

EXAMPLES = [
    "Who will Putin meet during his visit?",
    "When does Putin's visit to China begin?",
    "How long is Putin's state visit?",
    "What did China continue to export to Russia?",
]
# Questions answered at once, per door (the browser's chat, the /chat API and /answer each have
# their own limit in Gradio): the reader and retrieval release the GIL, so two questions share the
# two cores better than one. 20 users over /chat: 11.1 questions/s, p95 2.1 s (bench/serving.py
# --load); one at a time answered 6-7.6/s with p95 3.0-3.8 s.
QUESTION_CONCURRENCY = 2


@dataclass
class FilterFields:
    date_from: gr.Textbox
    date_to: gr.Textbox
    source: gr.Textbox
    note: gr.Markdown

    @property
    def inputs(self) -> list[gr.Textbox]:
        return [self.date_from, self.date_to, self.source]


@dataclass
class SourcePanels:
    """Made before the conversation (its outputs), drawn in the right-hand column."""

    source: gr.HTML
    article: gr.HTML
    others: gr.HTML


@dataclass
class UploadPanel:
    files: gr.File
    add: gr.Button
    result: gr.Markdown


@dataclass
class ArchivePanel:
    find: gr.Textbox
    listing: gr.Dataframe
    note: gr.Markdown
    remove_id: gr.Textbox | None = None
    remove: gr.Button | None = None
    removed: gr.Markdown | None = None


def build_app(
    desk: Newsdesk,
    read_only: bool = False,
    max_upload: int = MAX_UPLOAD_BYTES,
    indexing: Indexing | None = None,
) -> gr.Blocks:
    """The chat UI over ``desk``: without uploads and removal when ``read_only``. ``indexing``
    tells whether its index is ready (built in the background by `launch`); without one the
    index is taken as ready."""
    if indexing is None:
        indexing = Indexing()
        indexing.ready.set()
    actions = ChatHandlers(desk, indexing, max_upload)
    with gr.Blocks(title="Newsdesk") as app:
        gr.Markdown("# Newsdesk\nAsk about the news archive. Every answer quotes an article and says where it stands.")
        status = gr.Markdown(elem_id="index-status", label="status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                filters = _filter_fields()
                panels = SourcePanels(
                    gr.HTML(label="Source", elem_id="source", render=False),
                    gr.HTML(label="Whole article", elem_id="article-view", render=False),
                    gr.HTML(label="Other passages", elem_id="other-passages", render=False),
                )
                conversation = _conversation(actions, filters, panels)
            with gr.Column(scale=2, min_width=320):
                _draw_source_panels(panels)
                upload = None if read_only else _upload_panel(max_upload)
                archive = _archive_panel(read_only)
        _wire_page(app, actions, status, filters, panels, conversation, archive)
        if upload is not None:
            _wire_archive_writes(actions, status, upload, archive)
    return app


def _filter_fields() -> FilterFields:
    with gr.Row():
        date_from = strict_text(
            gr.Textbox(value="", label="From date", placeholder="YYYY-MM-DD", elem_id="date-from", max_lines=1)
        )
        date_to = strict_text(
            gr.Textbox(value="", label="To date", placeholder="YYYY-MM-DD", elem_id="date-to", max_lines=1)
        )
        source = strict_text(
            gr.Textbox(value="", label="Source", placeholder="any", elem_id="source-filter", max_lines=1)
        )
    return FilterFields(date_from, date_to, source, gr.Markdown(filter_note("", ""), elem_id="filter-note"))


def _conversation(actions: ChatHandlers, filters: FilterFields, panels: SourcePanels) -> gr.Chatbot:
    conversation = gr.Chatbot(
        elem_id="chat",
        height=460,
        sanitize_html=True,
        render_markdown=True,
        label="Conversation",
        show_label=False,  # its badge covered the first line of the reply on a phone
        autoscroll=False,  # SCROLL_TO_ANSWER shows the answer line instead of the reply's end
        buttons=["copy"],  # a copy button per message; no share or copy-all toolbar
    )
    question = gr.Textbox(
        placeholder="Ask a question about the articles…",
        label="Your question",
        elem_id="question",
        max_lines=4,
        submit_btn="Ask",
    )
    gr.ChatInterface(
        actions.chat,
        chatbot=conversation,
        textbox=strict_text(question),
        additional_inputs=filters.inputs,
        additional_outputs=[panels.source, panels.article, panels.others],
        examples=[[example, None, None, None] for example in EXAMPLES],
        run_examples_on_click=True,
        cache_examples=False,
        api_name="chat",
        concurrency_limit=QUESTION_CONCURRENCY,
    )
    # On a phone the Source panel stacks below the question box: one tap away.
    gr.HTML('<a href="#source-heading">The answer\'s source, marked in its passage ↓</a>', elem_id="to-source")
    return conversation


def _draw_source_panels(panels: SourcePanels) -> None:
    gr.Markdown("### Source", elem_id="source-heading")
    panels.source.render()
    with gr.Accordion("Whole article", open=True, elem_id="article-panel"):
        panels.article.render()
    with gr.Accordion("Other passages read", open=False):
        panels.others.render()


def _upload_panel(max_upload: int) -> UploadPanel:
    with gr.Accordion("Add articles", open=False, elem_id="add-panel"):
        files = upload_field(
            gr.File(
                label=f"Articles, {max_upload / 1e6:g} MB each, {MAX_UPLOAD_FILES} at a time",
                file_count="multiple",
                file_types=list(ARTICLE_SUFFIXES),
                elem_id="upload",
            )
        )
        gr.Markdown(f"Formats: {', '.join(ARTICLE_SUFFIXES)}", elem_id="upload-formats")
        add = gr.Button("Add to the archive", elem_id="add-articles")
        result = gr.Markdown(elem_id="upload-result", label="result")
    return UploadPanel(files, add, result)


def _archive_panel(read_only: bool) -> ArchivePanel:
    with gr.Accordion("Archive", open=False, elem_id="archive-panel"):
        archive = ArchivePanel(
            gr.Textbox(label="Find articles", placeholder="words of a title, date, source or id"),
            gr.Dataframe(
                headers=["Title", "Date", "Id"],
                label="articles",
                interactive=False,
                wrap=True,
                column_widths=["58%", "17%", "25%"],
                elem_id="article-list",
                max_height=360,
            ),
            gr.Markdown(elem_id="archive-note"),
        )
        if not read_only:
            with gr.Row():
                archive.remove_id = gr.Textbox(label="Id of the article to remove", elem_id="remove-id")
                archive.remove = gr.Button("Remove", variant="stop", elem_id="remove-article")
            archive.removed = gr.Markdown(elem_id="remove-result", label="result")
    return archive


def _wire_page(
    app: gr.Blocks,
    actions: ChatHandlers,
    status: gr.Markdown,
    filters: FilterFields,
    panels: SourcePanels,
    conversation: gr.Chatbot,
    archive: ArchivePanel,
) -> None:
    """The events every page has: the status timer, the archive search, the filter note, the
    scrolls, and the ``/answer`` API."""
    ready = actions.indexing.ready.is_set()
    listed = gr.State(ready)
    timer = gr.Timer(30.0 if ready else 1.0)
    timer.tick(
        actions.tick,
        [archive.find, listed],
        [status, archive.listing, listed, timer],
        api_visibility="private",
        show_progress="hidden",
    )
    app.load(actions.refresh, archive.find, [status, archive.listing], api_visibility="private")
    archive.find.change(actions.search_archive, archive.find, [archive.listing, archive.note], api_visibility="private")
    # One listener for every field's blur and Enter, run one at a time and the last one last: with
    # a listener per field, leaving one field for another sent two notes that could come back in
    # either order, and the older one (say "From is after To", just fixed) stayed on the page.
    gr.on(
        [trigger for field in filters.inputs for trigger in (field.blur, field.submit)],
        filter_note,
        filters.inputs,
        filters.note,
        trigger_mode="always_last",
        concurrency_limit=1,
        api_visibility="private",
    )
    panels.article.change(None, js=SCROLL_TO_SPAN)
    conversation.change(None, js=SCROLL_TO_ANSWER)
    gr.api(actions.answer, api_name="answer", concurrency_limit=QUESTION_CONCURRENCY)


def _wire_archive_writes(
    actions: ChatHandlers, status: gr.Markdown, upload: UploadPanel, archive: ArchivePanel
) -> None:
    """Adding and removing articles (not on a read-only server: no such endpoints at all)."""
    upload.add.click(
        actions.add_articles,
        upload.files,
        [upload.result, status, archive.listing],
        api_name="add_articles",
        concurrency_limit=1,
        concurrency_id="archive-writes",
    ).then(lambda: None, None, upload.files, api_visibility="private")  # a second click adds nothing twice
    assert archive.remove is not None and archive.remove_id is not None and archive.removed is not None
    archive.remove.click(
        actions.remove_article,
        [archive.remove_id, archive.find],
        [archive.removed, status, archive.listing],
        api_name="remove_article",
        concurrency_limit=1,
        concurrency_id="archive-writes",
    )
