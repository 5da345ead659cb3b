"""Article-body extraction quality: text dumps and HTML pages, scored against a reference.

Corpus: ``article_extraction_benchmark`` (181 real news pages, ``html/<id>.html.gz``, and
``ground-truth.json`` with the reference ``articleBody`` of each page).

Each page is rendered to a plain-text dump the way scrapers save a page's text: scripts,
styles and other non-visible elements dropped, one text block per line, every piece of page
chrome kept (navigation, share prompts, footers). Then each tool produces a body:

- ``keep_everything``: the whole dump (the score a user gets without cleaning);
- ``one_line_rule``: keep lines of 12 or more words ending in sentence punctuation;
- ``ours_text``: :func:`analysis.readers.cleaning.parse_text_dumps` on the dumps alone;
- ``trafilatura_html``: ``trafilatura.extract`` on the full HTML (it sees the markup);
- ``ours_html``: :func:`analysis.readers.html.parse_html` on the full HTML.

Scoring is token-level and bag-of-tokens: :func:`tokens` lowercases and keeps runs of
letters and digits; precision is the multiset overlap over the predicted tokens, recall the
overlap over the reference tokens, F1 their harmonic mean, all computed per page and then
averaged over pages. Pages are also split by id into a "tune" half (even position in the
sorted id list) and a "held-out" half (odd position), and the F1 on each half is reported, so
a rule tuned to one half can be checked on pages it never saw.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from benchmarks import common

NAME = "extraction"
CORPUS = "article_extraction_benchmark"

_TOKEN = re.compile(r"\w+", re.UNICODE)

#: Elements whose text is never shown to a reader.
_INVISIBLE = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"}
#: Elements that start a new line of text when a browser renders the page.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "br", "button", "caption", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "label", "legend",
    "li", "main", "menu", "nav", "ol", "option", "p", "picture", "pre", "section", "select",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip


def tokens(text: str | None) -> list[str]:
    """Return the scoring tokens of ``text``: lowercase runs of letters and digits."""
    return _TOKEN.findall((text or "").lower())


def score(predicted: str | None, reference: str | None) -> dict[str, float]:
    """
    Score one extracted body against its reference, bag-of-tokens.

    Returns ``{"precision", "recall", "f1"}``. An empty prediction scores 0 (unless the
    reference is empty too, which scores 1).

    Examples
    --------
    >>> score("the talks stall", "talks stall again")["recall"]
    0.6666666666666666
    """
    pred, ref = Counter(tokens(predicted)), Counter(tokens(reference))
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    if n_pred == 0 and n_ref == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    overlap = sum((pred & ref).values())
    p = overlap / n_pred if n_pred else 0.0
    r = overlap / n_ref if n_ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def mean_scores(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, float]:
    """Average :func:`score` over ``(predicted, reference)`` pairs, page by page."""
    rows = [score(p, r) for p, r in pairs]
    if not rows:
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan")}
    return {k: sum(x[k] for x in rows) / len(rows) for k in ("precision", "recall", "f1")}


def render_text_dump(html: bytes | str) -> str:
    """
    Render an HTML page to a plain-text dump, one text block per line, chrome kept.

    Scripts, styles, the ``<head>`` and elements marked ``hidden`` are dropped; every
    block-level element (paragraph, list item, heading, div, table cell...) starts a new
    line; whitespace inside a block is collapsed; empty lines are dropped.
    """
    import lxml.html

    from analysis.readers.html import decode_html

    if isinstance(html, bytes):
        html = decode_html(html)
    if not html.strip():
        return ""
    root = lxml.html.document_fromstring(html)
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buf).split())
        if line:
            lines.append(line)
        buf.clear()

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        hidden = el.get("hidden") is not None or re.search(
            r"display\s*:\s*none", el.get("style") or "", re.I
        )
        if tag in _INVISIBLE or hidden or not tag:
            if el.tail:
                buf.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            flush()
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            buf.append(el.tail)

    walk(root)
    flush()
    return "\n".join(lines) + "\n"


def load_pages(root: Path | None = None) -> list[dict]:
    """Return the benchmark pages sorted by id: ``{"id", "html", "reference", "half"}``."""
    root = root or common.shared_corpus(CORPUS)
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for i, page_id in enumerate(sorted(truth)):
        path = root / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        pages.append(
            {
                "id": page_id,
                "html": gzip.decompress(path.read_bytes()),
                "reference": truth[page_id].get("articleBody") or "",
                "half": "tune" if i % 2 == 0 else "held_out",
            }
        )
    return pages


def keep_everything(dumps: list[str]) -> list[str]:
    return list(dumps)


def one_line_rule(dumps: list[str]) -> list[str]:
    """Keep lines of 12 or more words that end in sentence punctuation."""
    out = []
    for dump in dumps:
        keep = [
            ln.strip()
            for ln in dump.splitlines()
            if len(ln.split()) >= 12 and ln.rstrip().endswith((".", "!", "?", '"', "”", "’", "'"))
        ]
        out.append("\n".join(keep))
    return out


def ours_text(dumps: list[str]) -> list[str]:
    from analysis.readers.cleaning import parse_text_dumps

    docs = [(f"page{i}.txt", d) for i, d in enumerate(dumps)]
    return [d["text"] or "" for d in parse_text_dumps(docs)]


def trafilatura_html(pages: list[bytes]) -> list[str]:
    import trafilatura

    return [trafilatura.extract(h, include_comments=False) or "" for h in pages]


def ours_html(pages: list[bytes]) -> list[str]:
    from analysis.readers.html import parse_html

    return [parse_html(h)["text"] or "" for h in pages]


TEXT_TOOLS: dict[str, Callable[[list[str]], list[str]]] = {
    "keep_everything": keep_everything,
    "one_line_rule": one_line_rule,
    "ours_text": ours_text,
}
HTML_TOOLS: dict[str, Callable[[list[bytes]], list[str]]] = {
    "trafilatura_html": trafilatura_html,
    "ours_html": ours_html,
}


def evaluate(tool: str, *, quick: bool = False) -> dict:
    """Run one tool over the benchmark pages; return scores overall and per half."""
    pages = load_pages()
    if quick:
        pages = pages[:40]
    if tool in TEXT_TOOLS:
        preds = TEXT_TOOLS[tool]([render_text_dump(p["html"]) for p in pages])
    else:
        preds = HTML_TOOLS[tool]([p["html"] for p in pages])
    result = {"pages": len(pages), **mean_scores(zip(preds, (p["reference"] for p in pages)))}
    for half in ("tune", "held_out"):
        pairs = [(x, p["reference"]) for x, p in zip(preds, pages) if p["half"] == half]
        result[f"f1_{half}"] = mean_scores(pairs)["f1"]
    return result


def run(quick: bool = False) -> list[dict]:
    rows = []
    for tool in [*TEXT_TOOLS, *HTML_TOOLS]:
        m = common.measure(evaluate, tool, quick=quick)
        res = m["result"]
        case = "html_pages" if tool in HTML_TOOLS else "text_dumps"
        rows.append(
            common.row(
                NAME,
                case,
                tool,
                res["pages"],
                "pages",
                m,
                precision=round(res["precision"], 3),
                recall=round(res["recall"], 3),
                f1=round(res["f1"], 3),
                f1_tune=round(res["f1_tune"], 3),
                f1_held_out=round(res["f1_held_out"], 3),
                notes="time includes reading pages"
                + (" and rendering text dumps" if case == "text_dumps" else ""),
            )
        )
    common.add_ratios(rows, "keep_everything")
    return common.add_ratios(rows, "trafilatura_html")
