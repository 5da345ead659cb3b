"""Rendering: an executed notebook becomes one offline, sanitised HTML file."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import json
import logging
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

import pandas as pd

from analysis.paths import (
    PACKAGE_DIR,
)
from analysis.report.drilldown import MIME_ARTICLES, MIME_CELLS, inject
from analysis.report.params import RUNNER_PARAMS

log = logging.getLogger(__name__)


TEMPLATES_DIR = PACKAGE_DIR / "templates"

TEMPLATE_NAME = "report"

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "wbr",
}  # fmt: skip

_ALLOWED_ATTRS = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

#: pandas puts a ``<style scoped>`` block before its tables; the page has its own stylesheet.
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)

#: Cells' inputs and outputs, which a keyboard can reach (nbconvert's BeautifulSoup
#: pass, skipped by the report's exporter, adds the same tab stops).
_FOCUSABLE = re.compile(r'<div class="([^"]*\bjp-(?:OutputArea-output|Cell-inputWrapper)\b[^"]*)"')


def clean_html(fragment: str) -> str:
    """
    Sanitize an HTML fragment from a notebook output with nh3 (the Rust sanitizer
    ammonia): allowed markup stays; other elements go, their text kept, except
    ``<script>`` and ``<style>``, which go with their content; event handlers,
    ``style`` attributes and non-mailto URL schemes go too.

    Article text never reaches this as markup: tables escape it first (``<`` shows
    as ``&lt;``), so a title holding ``<script>`` is shown as those characters.

    Examples
    --------
    >>> clean_html('<b>ok</b><img src=x onerror=alert(1)><script>alert(2)</script>')
    '<b>ok</b>'
    >>> clean_html('<td>&lt;script&gt;</td>')
    '&lt;script&gt;'
    """
    import nh3

    return nh3.clean(
        _STYLE_BLOCK.sub("", fragment),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"mailto"},
        strip_comments=True,
        link_rel=None,
    )


class _Headings(HTMLParser):
    """Collect h2/h3 headings that carry an id, for the table of contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3") and dict(attrs).get("id"):
            self._open = (int(tag[1]), dict(attrs)["id"] or "")
            self._text = []
        elif tag == "a" and self._open and "anchor-link" in (dict(attrs).get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._open and tag == f"h{self._open[0]}":
            text = " ".join("".join(self._text).split())
            self.found.append((self._open[0], self._open[1], text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip:
            self._text.append(data)


def _toc(page: str) -> str:
    parser = _Headings()
    parser.feed(page)
    if not parser.found:
        return ""
    items = "".join(
        f'<li class="toc-h{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in parser.found
    )
    return f'<nav class="report-toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'


@functools.lru_cache(maxsize=2)
def _html_exporter(show_code: bool) -> Any:
    """The report's nbconvert exporter (made once per process; its template is loaded)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    class ReportExporter(HTMLExporter):
        """
        HTMLExporter without its closing pass through BeautifulSoup (a quarter of a
        second on a report), which adds alt text to images and tab stops to cells. The
        report template writes alt text itself, and render_html the tab stops.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            init = getattr(self, "_init_resources", None)
            if init is None:  # an nbconvert unlike the one this was written for
                return super().from_notebook_node(nb, resources, **kw)
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = init(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    remove_cells = {"remove-cell", "papermill-error-cell-tag"}
    if not show_code:
        remove_cells |= {"parameters", "injected-parameters"}
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = remove_cells
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    config.HTMLExporter.preprocessors = [TagRemovePreprocessor]
    exporter = ReportExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_filter("report_clean", clean_html)
    exporter.template  # noqa: B018 (loads and compiles the template now)
    return exporter


def prepare_exporter(show_code: bool) -> None:
    """Make the exporter ready ahead of time; a failure is left for render_html to raise."""
    with contextlib.suppress(Exception):
        _html_exporter(show_code)


def render_html(
    nb: Any, *, title: str, record: Mapping[str, Any] | None = None, show_code: bool = False
) -> str:
    """
    Render an executed notebook to one self-contained HTML page.

    No script, stylesheet or font is loaded from anywhere: figures are embedded as
    data URIs, the stylesheet is inline, HTML and Markdown outputs are sanitized with
    :func:`clean_html`, code and the parameters cells are hidden unless ``show_code``.
    Cells tagged ``findings`` move up, before the first section (``## ``) of the
    page. After sanitising, the drill-down data and the report's own script are
    added, with a Content-Security-Policy that allows no request and no other
    script (:func:`analysis.report.drilldown.inject`).
    """
    exporter = _html_exporter(show_code)
    source = nb
    nb = _findings_first(_without_noise(nb, keep_stderr=show_code))
    record = dict(record or {})
    resources = {
        "report": {
            "title": title,
            "generated": pd.Timestamp(record.get("started") or utc_now()).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "corpus": (record.get("corpus") or {}).get("path", ""),
            "fingerprint": (record.get("corpus") or {}).get("fingerprint", ""),
            "parameters": [
                (k, json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)
                for k, v in (record.get("parameters") or {}).items()
                if k not in RUNNER_PARAMS
            ],
            "version": (record.get("versions") or {}).get("media-coverage-analysis", ""),
            "warnings": list(record.get("warnings") or []),
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = _FOCUSABLE.sub(r'<div tabindex="0" class="\1"', body)
    body = body.replace("<!--report-toc-->", _toc(body), 1)
    return inject(body, source)


#: The tag of the cells a report shows first.
FINDINGS_TAG = "findings"


def _findings_first(nb: Any) -> Any:
    """Move the cells tagged ``findings`` before the first ``## `` heading cell."""
    moved = [c for c in nb.cells if FINDINGS_TAG in c.get("metadata", {}).get("tags", [])]
    if not moved:
        return nb
    rest = [c for c in nb.cells if all(c is not m for m in moved)]
    first = next(
        (
            i
            for i, c in enumerate(rest)
            if c.cell_type == "markdown" and c.source.lstrip().startswith("## ")
        ),
        len(rest),
    )
    nb.cells = rest[:first] + moved + rest[first:]
    return nb


def _without_noise(nb: Any, *, keep_stderr: bool) -> Any:
    """Return a copy without stderr streams and without script-bearing outputs."""
    import copy

    nb = copy.deepcopy(nb)
    drop = {
        "application/javascript",
        "application/vnd.jupyter.widget-view+json",
        MIME_ARTICLES,
        MIME_CELLS,
    }
    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                if not keep_stderr:
                    continue
            data = output.get("data")
            if data is not None:
                for mime in drop & set(data):
                    del data[mime]
                if not data:
                    continue
            outputs.append(output)
        if cell.cell_type == "code":
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    return nb


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
