"""Notebook display: tables shown escaped, figures saved as PNG with the CSV of their numbers."""

from __future__ import annotations

import html
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import ParameterError
from analysis.paths import SAFE_NAME

log = logging.getLogger(__name__)


#: Resolution of the saved figure files.
FIGURE_DPI = 120

_NUM = ' class="num"'


def save_figure(
    fig: Any,
    table: pd.DataFrame | None,
    name: str,
    *,
    output_dir: str | Path,
    empty: str = "Nothing to draw for this selection.",
) -> Table | None:
    """
    Save a figure as ``<output_dir>/figures/<name>.png`` with the numbers behind it as ``.csv``.

    Readers of a report can then check every chart against its data. With
    ``output_dir=""`` (a notebook opened by hand) nothing is written. In a notebook
    the figure is displayed here, once, and closed.

    Parameters
    ----------
    fig : matplotlib Figure, Axes or None
        What to save (an Axes saves its figure); None (a chart skipped because the
        selection cannot give it) saves nothing.
    table : DataFrame or None
        The data drawn; written as CSV without the index unless the index is named.
        An empty table saves nothing: there is nothing to draw.
    name : str
        File stem: letters, digits, dot, dash and underscore only.
    output_dir : str or Path
        The report folder (the runner passes it as the ``output_dir`` parameter).
    empty : str, default "Nothing to draw for this selection."
        The sentence shown instead of a chart when ``fig`` is None or ``table`` is empty.

    Returns
    -------
    Table or None
        The ``empty`` sentence (which a notebook cell displays) when there was nothing
        to draw, else None.
    """
    if not SAFE_NAME.fullmatch(name):
        raise ParameterError(f"figure name {name!r}: use letters, digits, '.', '-', '_' only")
    figure = None if fig is None else getattr(fig, "figure", fig)
    if figure is None or (table is not None and len(table) == 0):
        if figure is not None:
            import matplotlib.pyplot as plt

            plt.close(figure)
        return Table(None, empty=empty, caption="", max_rows=0)
    png = None
    if str(output_dir).strip():
        figures = Path(output_dir) / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
        png = buffer.getvalue()
        (figures / f"{name}.png").write_bytes(png)
        if table is not None:
            index = any(n is not None for n in table.index.names)
            table.to_csv(figures / f"{name}.csv", index=index)
        log.debug("saved figure %s in %s", name, figures)
    _show_in_notebook(figure, png)
    return None


def _show_in_notebook(figure: Any, png: bytes | None = None) -> None:
    """
    Display a figure once in a running notebook, whatever matplotlib's interactive state.

    With ``png`` (the saved file's bytes) that image is shown, at the size the
    figure has on screen, instead of drawing the figure a second time.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    if png is None:
        display(figure)
    else:
        pixels = int.from_bytes(png[16:20], "big")  # the PNG header's width
        display(Image(data=png, format="png", width=round(pixels * figure.dpi / FIGURE_DPI)))
    plt.close(figure)


class Table:
    """A table for a report: escaped HTML with a caption, or a message when it is empty."""

    def __init__(self, data: pd.DataFrame, *, empty: str, caption: str, max_rows: int):
        self.data, self.empty, self.caption, self.max_rows = data, empty, caption, max_rows

    def _repr_html_(self) -> str:
        if self.data is None or len(self.data) == 0:
            return f'<p class="report-empty">{html.escape(self.empty)}</p>'
        shown = self.data.head(self.max_rows)
        with_index = any(n is not None for n in shown.index.names)
        if with_index:
            shown = shown.reset_index()
        numeric = [
            pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
            for c in shown.columns
        ]
        head = "".join(
            f'<th{_NUM if num else ""} scope="col">{_breakable(str(c))}</th>'
            for c, num in zip(shown.columns, numeric)
        )
        rows = []
        for values in shown.itertuples(index=False, name=None):
            cells = "".join(
                f'<td class="num">{_format_cell(v)}</td>' if num else f"<td>{_format_cell(v)}</td>"
                for v, num in zip(values, numeric)
            )
            rows.append(f"<tr>{cells}</tr>")
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        more = len(self.data) - len(shown)
        note = f'<p class="report-more">{more:,} more rows not shown</p>' if more > 0 else ""
        return (
            f'<table class="report-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{note}"
        )

    def __repr__(self) -> str:
        if self.data is None or len(self.data) == 0:
            return self.empty
        return self.data.head(self.max_rows).to_string()


def _breakable(name: str) -> str:
    """
    Escape a column name, letting a narrow page break it after each underscore.

    Examples
    --------
    >>> _breakable("share_<neg>")
    'share_<wbr>&lt;neg&gt;'
    """
    return html.escape(name).replace("_", "_<wbr>")


def _format_cell(value: Any) -> str:
    """Format one table cell as escaped HTML text."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or (hasattr(value, "dtype") and value.dtype.kind == "f"):
        value = float(value)
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return html.escape(
            value.strftime("%Y-%m-%d" if value == value.normalize() else "%Y-%m-%d %H:%M")
        )
    return html.escape(str(value))


def show_table(
    data: pd.DataFrame | None,
    *,
    empty: str = "Nothing to show for this selection.",
    caption: str = "",
    max_rows: int = 30,
    columns: Sequence[str] | None = None,
) -> Table:
    """
    Wrap a DataFrame for display in a report: HTML-escaped cells, a row limit, and a
    plain message instead of an empty table (or None). ``columns`` picks and orders
    the columns shown.

    Examples
    --------
    >>> t = show_table(pd.DataFrame({"title": ["<script>alert(1)</script>"]}))
    >>> "&lt;script&gt;" in t._repr_html_()
    True
    """
    if data is not None and columns is not None:
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise ParameterError(f"show_table: no column(s) {', '.join(missing)} in the table")
        data = data[list(columns)]
    return Table(data, empty=empty, caption=caption, max_rows=max_rows)


def side_by_side(
    data: pd.DataFrame | None,
    *,
    by: str = "group",
    columns: Sequence[str] = ("actor", "per_1k_articles"),
    index: str | None = None,
) -> pd.DataFrame | None:
    """
    Set the rows of each group beside each other, so two or more groups read across.

    The first row of every group makes the first row, and so on (or one row per
    value of ``index``); each group gives a block of ``columns``, named
    ``"<group> <column>"``, groups in the order they first appear.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["A", "A", "B"], "actor": ["X", "Y", "Z"]})
    >>> wide = side_by_side(t, columns=["actor"])
    >>> wide.columns.tolist(), wide.fillna("").values.tolist()
    (['A actor', 'B actor'], [['X', 'Z'], ['Y', '']])
    """
    if data is None:
        return None
    missing = [c for c in [by, *([index] if index else []), *columns] if c not in data.columns]
    if missing:
        raise ParameterError(f"side_by_side: no column(s) {', '.join(missing)} in the table")
    if index is None:
        index = "row"
        data = data.assign(row=data.groupby(by, sort=False).cumcount() + 1)
    elif data.duplicated([by, index]).any():
        raise ParameterError(f"side_by_side: {index!r} repeats within a value of {by!r}")
    groups = list(dict.fromkeys(data[by]))
    wide = data.pivot(index=index, columns=by, values=list(columns))
    order = [(col, group) for group in groups for col in columns]
    wide = wide.reindex(columns=pd.MultiIndex.from_tuples(order)) if order else wide
    wide.columns = [f"{group} {col}" for col, group in wide.columns]
    return wide


class Note:
    """A sentence for a report, with numbered steps under it: plain escaped text."""

    def __init__(self, text: str, steps: Sequence[str]):
        self.text, self.steps = text, list(steps)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(step)}</li>" for step in self.steps)
        listed = f"<ol>{items}</ol>" if items else ""
        return f'<p class="report-note">{html.escape(self.text)}</p>{listed}'

    def __repr__(self) -> str:
        return "\n".join([self.text, *(f"{k}. {s}" for k, s in enumerate(self.steps, 1))])


def show_note(text: str, steps: Sequence[str] = ()) -> Note:
    """
    Show a sentence in a report (escaped, as plain text), with numbered steps under it.

    Examples
    --------
    >>> show_note("No validation on record.")
    No validation on record.
    >>> show_note("Next:", ["fill <the> sheets"])._repr_html_()
    '<p class="report-note">Next:</p><ol><li>fill &lt;the&gt; sheets</li></ol>'
    """
    if not isinstance(text, str):
        raise ParameterError(f"show_note: text must be a str, got {type(text).__name__}")
    return Note(text, [str(step) for step in steps])


class Findings:
    """A report's findings: a list of sentences, each linking to its section."""

    def __init__(self, found: Sequence[dict[str, Any]], *, empty: str):
        self.found, self.empty = list(found), empty

    def _repr_html_(self) -> str:
        if not self.found:
            return f'<p class="report-empty">{html.escape(self.empty)}</p>'
        items = "".join(
            f'<li>{html.escape(f["text"])} <a href="#{html.escape(section_anchor(f["section"]))}">'
            f"{html.escape(f['section'])}</a></li>"
            for f in self.found
        )
        return f'<ul class="report-findings">{items}</ul>'

    def __repr__(self) -> str:
        return "\n".join(f"- {f['text']} ({f['section']})" for f in self.found) or self.empty


def section_anchor(heading: str) -> str:
    """
    Return the id the rendered report gives a heading (nbconvert's: spaces become '-').

    Examples
    --------
    >>> section_anchor("Tone by group")
    'Tone-by-group'
    """
    return "-".join(heading.split())


def show_findings(
    found: Sequence[dict[str, Any]],
    *,
    empty: str = "No finding passes the thresholds of the method notes for this selection.",
) -> Findings:
    """
    Show findings (:func:`analysis.findings`) as a list, each linking to its section.

    Examples
    --------
    >>> show_findings([{"text": "A <b>", "section": "Tone by group"}])._repr_html_()
    '<ul class="report-findings"><li>A &lt;b&gt; <a href="#Tone-by-group">Tone by group</a></li></ul>'
    """
    for f in found:
        if not {"text", "section"} <= set(f):
            raise ParameterError("show_findings: each finding needs 'text' and 'section'")
    return Findings(found, empty=empty)
