"""
Drill-down: the articles behind a report's tables and charts, embedded in its one HTML file.

A notebook cell opts in with :func:`drilldown` (a table whose rows carry article
ids) and the report embeds its articles once with :func:`drilldown_articles`. Both
display a small marker in the notebook and keep their data in the cell's output
under their own MIME type; :func:`inject` (called by the renderer, after the
notebook's HTML is sanitised) gathers them into one JSON block, escaped so that no
text can end the block, adds the report's own script, and a Content-Security-Policy
that forbids every network request and every other script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.engine import gather
from analysis.errors import ParameterError
from analysis.measures.cells import id_list
from analysis.paths import PACKAGE_DIR, SAFE_NAME

log = logging.getLogger(__name__)

MIME_CELLS = "application/vnd.mca.drilldown+json"
MIME_ARTICLES = "application/vnd.mca.articles+json"

#: Most articles a report embeds; a larger selection embeds a seeded sample of this size.
ARTICLE_CAP = 5000
#: Most article ids a table row or chart cell embeds (its count is always whole).
CELL_CAP = 500
#: Longest title, URL and keyword-in-context line embedded, in characters.
TITLE_CHARS, URL_CHARS, CONTEXT_CHARS = 300, 500, 80

SCRIPT_PATH = PACKAGE_DIR / "templates" / "report" / "drill.js"

#: The ``<meta>`` placeholder of the report template, replaced by the policy.
CSP_PLACEHOLDER = "<!--report-csp-->"
#: The placeholder before ``</body>``, replaced by the data block and the script.
DATA_PLACEHOLDER = "<!--report-drill-->"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}  # fmt: skip


def _text(value: Any) -> str:
    """A key as the report's tables print it (see ``display.show_table``), spaces squeezed."""
    from analysis.report.display import _format_cell

    return " ".join(html.unescape(_format_cell(value)).split())


def _show(bundle: dict[str, Any]) -> None:
    """Display a MIME bundle in a running notebook kernel (nothing elsewhere)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "kernel"):
        display(bundle, raw=True)


def drilldown(
    table: pd.DataFrame | None,
    *,
    name: str,
    ids_column: str = "article_ids",
    keys: Sequence[str] | None = None,
    title: str = "",
    output_dir: str | Path = "",
    show: bool = True,
) -> dict[str, Any] | None:
    """
    Let a report's readers click a table row or a chart cell to list its articles.

    Call it in the cell that shows the table or draws the chart. In the rendered
    report, the rows of the cell's table whose ``keys`` match a row of ``table``
    open a panel listing their articles; a cell without a table (a chart) gets a
    row of buttons under it, one per row of ``table``. Only articles embedded by
    :func:`drilldown_articles` are listed; the full lists are written to
    ``<output_dir>/drilldown/<name>.csv``.

    Parameters
    ----------
    table : DataFrame or None
        One row per table row or chart cell, with the ids of its articles in
        ``ids_column`` (a list, or one id). None or empty adds nothing.
    name : str
        The section's name: letters, digits, '.', '-', '_'; one per report.
    ids_column : str, default "article_ids"
        The column of article ids.
    keys : sequence of str or None
        The columns that name a row, as headed in the table shown (``["outlet",
        "period"]``); None takes every text and date column.
    title : str, default ""
        The panel's heading (default: the name).
    output_dir : str or Path, default ""
        The report folder; "" writes nothing.
    show : bool, default True
        Display the data in the running notebook and return None; False returns
        the MIME bundle instead (None for an empty table).

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["A"], "article_ids": [["x", "y"]]})
    >>> drilldown(t, name="demo", show=False)[MIME_CELLS]["cells"]
    [[['A'], ['x', 'y']]]
    """
    if not SAFE_NAME.fullmatch(name):
        raise ParameterError(f"drilldown name {name!r}: use letters, digits, '.', '-', '_' only")
    if table is None or len(table) == 0:
        return None
    if ids_column not in table.columns:
        raise ParameterError(f"drilldown {name}: the table has no column {ids_column!r}")
    if keys is None:
        keys = [
            c for c in table.columns
            if c != ids_column and not pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c])
        ]  # fmt: skip
    missing = [k for k in keys if k not in table.columns]
    if missing or not keys:
        raise ParameterError(
            f"drilldown {name}: keys {', '.join(missing) or '(none)'} not in the table"
        )
    keys = list(keys)
    cells = [
        [[_text(v) for v in row[:-1]], id_list(row[-1])]
        for row in table[[*keys, ids_column]].itertuples(index=False, name=None)
    ]
    if str(output_dir).strip():
        folder = Path(output_dir) / "drilldown"
        folder.mkdir(parents=True, exist_ok=True)
        long = [[*k, i] for k, ids in cells for i in ids]
        pd.DataFrame(long, columns=[*keys, "article_id"]).to_csv(
            folder / f"{name}.csv", index=False
        )
    payload = {"name": name, "title": title or name, "keys": keys, "cells": cells}
    bundle = {
        MIME_CELLS: payload,
        "text/html": f'<div class="report-drill" id="drill-{name}"></div>',
        "text/plain": f"drill-down {name}: {len(cells)} rows",
    }
    return _shown(bundle, show)


def _shown(bundle: dict[str, Any], show: bool) -> dict[str, Any] | None:
    if not show:
        return bundle
    _show(bundle)
    return None


def drilldown_articles(
    articles: pd.DataFrame,
    *,
    tone: pd.DataFrame | None = None,
    contexts: pd.DataFrame | None = None,
    cap: int = ARTICLE_CAP,
    seed: int = 0,
    output_dir: str | Path = "",
    show: bool = True,
) -> dict[str, Any] | None:
    """
    Embed the articles of a report for its drill-down panels and its article browser.

    Call it once per report, after the sections that call :func:`drilldown`.

    Parameters
    ----------
    articles : DataFrame or dask.dataframe.DataFrame
        The report's selection (``article_id``, ``title``, ``outlet``, ``published``,
        ``url``, ``story_id``).
    tone : DataFrame or None
        Per-article tone (:func:`analysis.article_sentiment`: ``article_id``, ``compound``).
    contexts : DataFrame or None
        Keyword in context (:func:`analysis.kwic`): each article's first line is shown.
    cap : int, default 5000
        Most articles embedded; above it a random sample of ``cap`` (``seed``), said
        in a note. Every article stays in ``<output_dir>/drilldown/articles.csv``.
    seed : int, default 0
        Seed of the sample.
    output_dir : str or Path, default ""
        The report folder; "" writes nothing.
    show : bool, default True
        Display the data in the running notebook and return None; False returns
        the MIME bundle instead.

    The marker displayed is where the report's script puts the article browser.
    """
    if cap < 1:
        raise ParameterError(f"drilldown_articles: cap={cap!r}; expected 1 or more")
    articles = gather(articles, ["article_id", "title", "outlet", "published", "url", "story_id"])
    if "article_id" not in articles.columns:
        raise ParameterError("drilldown_articles: the articles table has no column 'article_id'")
    n = len(articles)

    def column(name: str) -> list[str | None]:
        values = articles[name] if name in articles else [None] * n
        return [None if v is None or pd.isna(v) else str(v) for v in values]

    ids = [str(v) for v in articles["article_id"]]
    if "published" in articles:
        stamps = pd.to_datetime(articles["published"], utc=True, errors="coerce")
        dates = [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in stamps]
    else:
        dates = [None] * n
    fields = ["id", "title", "outlet", "date", "url", "tone", "story", "kwic"]
    rows = [
        list(row)
        for row in zip(
            ids,
            column("title"),
            column("outlet"),
            dates,
            column("url"),
            _lookup(ids, tone, "compound", lambda v: round(float(v), 3)),
            column("story_id"),
            _lookup(ids, contexts, "match", None, lines=True),
        )
    ]
    total = len(rows)
    if str(output_dir).strip():
        folder = Path(output_dir) / "drilldown"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows, columns=fields).to_csv(folder / "articles.csv", index=False)
    note = ""
    if total > cap:
        keep = np.sort(np.random.default_rng(seed).choice(total, size=cap, replace=False))
        rows = [rows[i] for i in keep]
        note = (
            f"This page embeds {cap:,} of the {total:,} articles, a random sample (seed {seed}); "
            "drilldown/articles.csv and drilldown/<section>.csv beside it list them all."
        )
    for row in rows:
        row[1], row[4] = _clip(row[1], TITLE_CHARS), _clip(row[4], URL_CHARS)
    payload = {"fields": fields, "rows": rows, "total": total, "note": note}
    message = (
        f"{total:,} articles; the searchable list needs the page's script. "
        "drilldown/articles.csv beside this page lists them all."
    )
    bundle = {
        MIME_ARTICLES: payload,
        "text/html": f'<div class="report-browser" id="report-browser"><p class="report-empty">{html.escape(message)}</p></div>',
        "text/plain": message,
    }
    return _shown(bundle, show)


def _clip(value: str | None, chars: int) -> str | None:
    if value is None or len(value) <= chars:
        return value
    return value[: chars - 1] + "\u2026"


def _lookup(
    ids: list[str], table: pd.DataFrame | None, column: str, convert, *, lines: bool = False
) -> list:
    """Each article's value in ``table`` (its first row), or its first keyword-in-context line."""
    if table is None or "article_id" not in table.columns or column not in table.columns:
        return [None] * len(ids)
    table = gather(
        table, ["article_id", column, "left" if lines else None, "right" if lines else None]
    )
    first = table.drop_duplicates("article_id").set_index("article_id")
    first.index = first.index.astype(str)
    if lines:
        blank = pd.Series("", index=first.index)
        left = first.get("left", blank).fillna("").astype(str).str[-CONTEXT_CHARS:]
        right = first.get("right", blank).fillna("").astype(str).str[:CONTEXT_CHARS]
        line = "\u2026" + left + " [" + first[column].astype(str) + "] " + right + "\u2026"
        values = dict(zip(first.index, line))
    else:
        values = {k: convert(v) for k, v in first[column].items() if not pd.isna(v)}
    return [values.get(i) for i in ids]


def collect(nb: Any) -> dict[str, Any] | None:
    """
    Gather the drill-down data of an executed notebook into one compact record.

    Articles become rows of one list; each section's cells refer to them by
    position (at most :data:`CELL_CAP` a cell, with the cell's whole count).
    """
    articles, sections = None, {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if MIME_ARTICLES in data:
                articles = data[MIME_ARTICLES]
            if MIME_CELLS in data:
                sections[data[MIME_CELLS]["name"]] = data[MIME_CELLS]
    if articles is None:
        return None
    position = {row[0]: i for i, row in enumerate(articles["rows"])}
    compact = {}
    for name, section in sections.items():
        cells = []
        for key, ids in section["cells"]:
            known = [position[i] for i in ids if i in position]
            cells.append([key, len(ids), known[:CELL_CAP]])
        compact[name] = {
            "name": name,
            "title": section["title"],
            "keys": section["keys"],
            "cells": cells,
        }
    return {
        "articles": {"fields": articles["fields"], "rows": articles["rows"]},
        "total": articles["total"],
        "note": articles["note"],
        "cell_cap": CELL_CAP,
        "sections": compact,
    }


def json_for_html(value: Any) -> str:
    r"""
    Write a value as JSON that can sit inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\u`` escapes, so no text can close the element
    or open a comment; U+2028 and U+2029 too (line ends to older JavaScript).

    Examples
    --------
    >>> json_for_html({"t": "</script><!--\u2028"})
    '{"t":"\\u003c/script\\u003e\\u003c!--\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def _script() -> str:
    return SCRIPT_PATH.read_text(encoding="utf-8")


def policy(script: str | None) -> str:
    """The Content-Security-Policy: no request at all, data: images, our one script."""
    if script is None:
        scripts = "'none'"
    else:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        scripts = f"'sha256-{digest}'"
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {scripts}; base-uri 'none'; form-action 'none'"
    )


def inject(page: str, nb: Any) -> str:
    """
    Add the policy, the data block and the script to a rendered, sanitised page.

    The placeholders come from the report template, never from a cell: cell
    outputs are sanitised with comments stripped before they reach the page.
    """
    data = collect(nb)
    script = _script() if data is not None else None
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(script)}">'
    page = page.replace(CSP_PLACEHOLDER, meta, 1)
    block = ""
    if data is not None:
        block = (
            f'<script type="application/json" id="report-data">{json_for_html(data)}</script>\n'
            f"<script>{script}</script>"
        )
    head, found, tail = page.rpartition(DATA_PLACEHOLDER)
    return head + block + tail if found else page
