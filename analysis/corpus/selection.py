"""Selection: the articles a report is about (dates, outlets, one copy per story) and two groups to compare."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, ParameterError

log = logging.getLogger(__name__)


_RELATIVE = re.compile(r"^(?:last|past)\s+(\d+)\s+(day|week|month|year)s?$")


class NoArticlesError(AnalysisError):
    """No article is left after filtering; a report shows the message instead of analyses."""


def _period_bounds(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        start = pd.Timestamp(f"{text}-01-01", tz="UTC")
        return start, start + pd.DateOffset(years=1)
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        start = pd.Timestamp(f"{text}-01", tz="UTC")
        return start, start + pd.DateOffset(months=1)
    stamp = pd.Timestamp(text)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if stamp == stamp.normalize() and not re.search(r"[T ]\d", text):
        return stamp, stamp + pd.Timedelta(days=1)
    return stamp, stamp


def parse_date_range(
    text: str, *, now: dt.datetime | pd.Timestamp | None = None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """
    Turn a date-range phrase into UTC bounds ``(start, end)``, start inclusive, end exclusive.

    Accepted phrases: ``""`` or ``"all"`` (no bounds); ``"2022-03-01"``, ``"2022-03"``
    or ``"2022"`` (that day, month or year); ``"2022-02-24..2022-03-31"`` (both days
    included; either side may be left empty); ``"since 2022-03-01"``,
    ``"until 2022-03-31"``; ``"today"``, ``"yesterday"``, ``"this week"``,
    ``"this month"``, ``"this year"``; and ``"last 7 days"`` (also weeks, months,
    years): from midnight UTC that long before today up to now, so a scheduled report
    needs no edits.

    Raises
    ------
    ParameterError
        When the phrase cannot be read; the message lists the accepted forms.

    Examples
    --------
    >>> parse_date_range("2022-03-01..2022-03-31")
    (Timestamp('2022-03-01 00:00:00+0000', tz='UTC'), Timestamp('2022-04-01 00:00:00+0000', tz='UTC'))
    >>> parse_date_range("last 7 days", now=pd.Timestamp("2022-03-10 15:00", tz="UTC"))[0]
    Timestamp('2022-03-03 00:00:00+0000', tz='UTC')
    """
    phrase = " ".join(str(text or "").lower().split())
    now_ts = pd.Timestamp(now) if now is not None else pd.Timestamp.now(tz="UTC")
    now_ts = now_ts.tz_localize("UTC") if now_ts.tzinfo is None else now_ts.tz_convert("UTC")
    today = now_ts.normalize()
    try:
        if phrase in ("", "all"):
            return None, None
        if phrase == "today":
            return today, today + pd.Timedelta(days=1)
        if phrase == "yesterday":
            return today - pd.Timedelta(days=1), today
        if phrase == "this week":
            return today - pd.Timedelta(days=today.day_of_week), None
        if phrase == "this month":
            return today.replace(day=1), None
        if phrase == "this year":
            return today.replace(month=1, day=1), None
        match = _RELATIVE.match(phrase)
        if match:
            n, unit = int(match.group(1)), match.group(2)
            offset = pd.DateOffset(**{f"{unit}s": n})
            return today - offset, None
        if phrase.startswith("since "):
            return _period_bounds(phrase[6:])[0], None
        for word in ("until ", "before "):
            if phrase.startswith(word):
                start, end = _period_bounds(phrase[len(word) :])
                return None, start if word == "before " else end
        if ".." in phrase:
            left, right = (part.strip() for part in phrase.split("..", 1))
            start = _period_bounds(left)[0] if left else None
            end = _period_bounds(right)[1] if right else None
            if start is not None and end is not None and end <= start:
                raise ValueError("the range ends before it starts")
            return start, end
        return _period_bounds(phrase)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParameterError(
            f"date_range {text!r} cannot be read ({exc}); use e.g. '2022-03-01..2022-03-31', "
            "'2022-03', 'since 2022-03-01', 'last 7 days', 'this month' or '' for all dates"
        ) from None


def select_articles(
    articles: pd.DataFrame,
    *,
    date_range: str = "",
    outlets: Sequence[str] = (),
    copies: Literal["unique", "all"] = "unique",
    now: dt.datetime | pd.Timestamp | None = None,
    query: str = "",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Keep the articles a report is about and say how many each rule kept.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table.
    date_range : str, default ""
        A phrase read by :func:`parse_date_range`; articles without a date are dropped
        when a range is given.
    outlets : sequence of str, default ()
        Outlets to keep (case-insensitive); empty keeps all.
    copies : {"unique", "all"}, default "unique"
        ``"unique"`` keeps one copy of each story (the canonical copy of each
        ``story_id`` when present in the selection; when the table has no story groups
        they are found first with ``analysis.dedupe``).
    now : datetime, optional
        Reference time for relative ranges; default the current time.
    query : str, default ""
        Keep the stories a query matches (``'ceasefire OR "peace talks"~5'``,
        see :func:`analysis.match`); empty keeps all. A table opened from a
        corpus is answered from the corpus's query index.

    Returns
    -------
    (DataFrame, DataFrame)
        The selected articles, and a table ``[step, rule, articles]`` of the
        counts (with a ``query`` step when a query is given).

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B"], "published": pd.to_datetime(
    ...     ["2022-03-01", "2022-04-01"], utc=True), "text": ["x", "y"]})
    >>> kept, steps = select_articles(df, date_range="2022-03", copies="all")
    >>> len(kept), steps["articles"].tolist()
    (1, [2, 1, 1, 1])
    """
    rules = selection_rules(
        date_range=date_range, outlets=outlets, copies=copies, now=now, query=query
    )
    n_all = len(articles)
    out = articles[date_mask(articles, rules)]
    n_dates = len(out)
    out = out[outlet_mask(out, rules)]
    n_outlets = len(out)
    counts = [n_all, n_dates, n_outlets]
    if rules["query"]:
        out = out[query_mask(out, rules)]
        counts.append(len(out))
    if copies == "unique" and len(out):
        grouped = "story_id" in out.columns and out["story_id"].notna().all()
        if grouped:
            # the canonical copy first, then one row per story within the selection
            out = out.loc[story_order(out).drop_duplicates("story_id").index].sort_index()
        else:
            from analysis.corpus.duplicates import dedupe

            out = dedupe(out)
    return out.reset_index(drop=True), selection_steps(rules, [*counts, len(out)])


def selection_rules(
    *,
    date_range: str = "",
    outlets: Sequence[str] = (),
    copies: str = "unique",
    now: dt.datetime | pd.Timestamp | None = None,
    query: str = "",
) -> dict[str, Any]:
    """Check the options of :func:`select_articles` and return them ready to apply."""
    from analysis.text.query import parse_query

    if copies not in ("unique", "all"):
        raise ParameterError(f"copies must be 'unique' or 'all', got {copies!r}")
    start, end = parse_date_range(date_range, now=now)
    if query is None or (isinstance(query, str) and not query.strip()):
        query = ""
    elif not isinstance(query, str):
        raise ParameterError(f"query must be a string, got {query!r}")
    return {
        "query": query,
        "node": parse_query(query) if query else None,
        "query_ids": None,
        "start": start,
        "end": end,
        "wanted": [o.strip().lower() for o in outlets if str(o).strip()],
        "date_range": date_range,
        "outlets": list(outlets),
        "copies": copies,
    }


def date_mask(articles: pd.DataFrame, rules: Mapping[str, Any]) -> Any:
    """Rows of ``articles`` inside the date range of ``rules`` (a boolean array)."""

    start, end = rules["start"], rules["end"]
    if start is None and end is None:
        return np.ones(len(articles), dtype=bool)
    published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
    keep = published.notna()
    if start is not None:
        keep &= published >= start
    if end is not None:
        keep &= published < end
    return keep.to_numpy(dtype=bool)


def outlet_mask(articles: pd.DataFrame, rules: Mapping[str, Any]) -> Any:
    """Rows of ``articles`` from the outlets of ``rules`` (a boolean array)."""

    if not rules["wanted"]:
        return np.ones(len(articles), dtype=bool)
    lower = articles["outlet"].astype("string").str.lower()
    return lower.isin(rules["wanted"]).fillna(False).to_numpy(dtype=bool)


def query_mask(articles: pd.DataFrame, rules: Mapping[str, Any]) -> Any:
    """
    Rows of ``articles`` that the query of ``rules`` matches (a boolean array).

    The matching ids may be known already (``rules["query_ids"]``, found over a
    whole corpus); otherwise the table's corpus index answers, or its texts.
    """
    if not rules["query"]:
        return np.ones(len(articles), dtype=bool)
    if rules.get("query_ids") is not None:
        ids = articles["article_id"].astype(str)
        return ids.isin(rules["query_ids"]).to_numpy(dtype=bool)
    from analysis.corpus.index import match_frame

    found = match_frame(articles, rules["node"], articles.attrs.get("corpus"))
    ids = articles["article_id"].astype(str)
    return ids.isin(set(found["article_id"].astype(str))).to_numpy(dtype=bool)


def story_order(articles: pd.DataFrame) -> pd.DataFrame:
    """Rows with the canonical copy of each story first, otherwise in table order."""
    flags = articles["is_duplicate"] if "is_duplicate" in articles.columns else False
    order = pd.Series(flags, index=articles.index).fillna(False).astype(bool)
    return articles.loc[order.sort_values(kind="stable").index]


def selection_steps(rules: Mapping[str, Any], counts: Sequence[int]) -> pd.DataFrame:
    """The ``[step, rule, articles]`` table of :func:`select_articles` from its counts (five with a query)."""
    copies = "one copy per story" if rules["copies"] == "unique" else "every copy"
    steps = [
        ("corpus", "every article", counts[0]),
        ("dates", rules["date_range"] or "all dates", counts[1]),
        ("outlets", ", ".join(rules["outlets"]) if rules["wanted"] else "all outlets", counts[2]),
    ]
    if rules.get("query"):
        steps.append(("query", rules["query"], counts[3]))
    steps.append(("copies", copies, counts[-1]))
    return pd.DataFrame(steps, columns=["step", "rule", "articles"])


def two_groups(
    articles: pd.DataFrame, *, compare: str = "outlet", a: str = "", b: str = ""
) -> pd.DataFrame:
    """
    Keep the articles of two groups and label them in a ``group`` column.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table.
    compare : str, default "outlet"
        A column (``a`` and ``b`` are values of it, case-insensitive), or ``"period"``
        (``a`` and ``b`` are date ranges read by :func:`parse_date_range`).
    a, b : str, default ""
        The two groups. Left empty: the two largest values of the column, or for
        ``"period"`` the first and second half of the dated articles.

    Returns
    -------
    DataFrame
        The articles of both groups with ``group`` set to the label of each
        (``a`` first); an article in both periods is kept in the first.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B", "A", "C"], "published": pd.to_datetime(
    ...     ["2022-03-01", "2022-03-02", "2022-03-03", "2022-03-04"], utc=True)})
    >>> two_groups(df, compare="outlet", a="a", b="C")["group"].tolist()
    ['A', 'A', 'C']
    """
    rules = group_rules(group_stats(articles, compare=compare, a=a, b=b), compare=compare, a=a, b=b)
    out = label_groups(articles, rules, compare=compare)
    order = {label: i for i, label in enumerate(rules)}
    return out.sort_values("group", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def group_stats(articles: pd.DataFrame, *, compare: str, a: str = "", b: str = "") -> dict:
    """
    What :func:`two_groups` needs to know of the whole table to name its groups.

    For a column: the rows per value (in order of first appearance) and the
    first spelling of each value in lower case; for the two halves of the
    periods: the publication times. Stats of parts of a table combine with
    :func:`combine_group_stats`.
    """
    if compare == "period":
        if a or b:
            return {}
        published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
        return {"dated": published.dropna()}
    if compare not in articles.columns:
        raise ParameterError(f"compare {compare!r} is neither 'period' nor a column")
    values = articles[compare].astype("string")
    spelled = pd.DataFrame({"lower": values.str.lower(), "value": values}).dropna()
    spelled = spelled.drop_duplicates("lower")
    return {
        "counts": values.value_counts(sort=False),
        "first": dict(zip(spelled["lower"].tolist(), spelled["value"].tolist())),
    }


def combine_group_stats(parts: Sequence[dict]) -> dict:
    """Combine :func:`group_stats` of parts of a table, in table order."""
    parts = list(parts)
    if not parts[0]:
        return {}
    if "dated" in parts[0]:
        return {"dated": pd.concat([p["dated"] for p in parts])}
    first: dict[str, str] = {}
    for part in parts:
        for lower, value in part["first"].items():
            first.setdefault(lower, value)
    counts = pd.concat([p["counts"] for p in parts]).groupby(level=0, sort=False).sum()
    return {"counts": counts, "first": first}


def group_rules(stats: dict, *, compare: str, a: str = "", b: str = "") -> dict[str, tuple]:
    """The two groups of :func:`two_groups`: label -> rule, first group first."""
    if compare == "period":
        if not (a or b):
            dated = stats["dated"].sort_values()
            if len(dated) < 2:
                raise NoArticlesError("Fewer than two dated articles: no periods to compare.")
            middle = dated.iloc[len(dated) // 2]
            first, last = dated.iloc[0], dated.iloc[-1]
            return {
                f"{first:%Y-%m-%d} to {middle:%Y-%m-%d}": ("dates", None, middle),
                f"{middle:%Y-%m-%d} to {last:%Y-%m-%d}": ("dates", middle, None),
            }
        return {label: ("dates", *parse_date_range(label)) for label in (a, b)}
    if not (a and b):
        ranked = stats["counts"].sort_values(ascending=False, kind="stable")
        top = [v for v in ranked.index if v not in (a, b)]
        picked = [a] if a else []
        picked += top[: 2 - len(picked)]
        if len(picked) < 2:
            raise NoArticlesError(f"Fewer than two values of {compare!r}: nothing to compare.")
        a, b = picked
    return {stats["first"].get(label.lower(), label): ("value", label.lower()) for label in (a, b)}


def label_groups(
    articles: pd.DataFrame, rules: Mapping[str, tuple], *, compare: str
) -> pd.DataFrame:
    """The rows of ``articles`` in a group of ``rules``, labelled in ``group`` (table order)."""
    labels = pd.Series(pd.NA, index=articles.index, dtype="string")
    for label, (kind, *bounds) in reversed(list(rules.items())):
        if kind == "dates":
            published = pd.to_datetime(articles["published"], utc=True, errors="coerce")
            keep = published.notna()
            if bounds[0] is not None:
                keep &= published >= bounds[0]
            if bounds[1] is not None:
                keep &= published < bounds[1]
        else:
            keep = (articles[compare].astype("string").str.lower() == bounds[0]).fillna(False)
        labels = labels.mask(keep.to_numpy(dtype=bool), label)
    out = articles.assign(group=labels)
    return out[out["group"].notna()]


def require_articles(articles: pd.DataFrame, *, what: str = "the selection") -> pd.DataFrame:
    """
    Return ``articles`` unchanged, or stop the report with a clear message when it is empty.

    The report runner turns the :class:`NoArticlesError` into a notice in the HTML
    report (no traceback) and still writes the report.
    """
    check_not_empty(len(articles), what=what)
    return articles


def check_not_empty(n_articles: int, *, what: str = "the selection") -> None:
    """Raise :class:`NoArticlesError` when ``n_articles`` is 0."""
    if n_articles == 0:
        raise NoArticlesError(
            f"No articles are left in {what}: widen the date range, check the outlet "
            "names or use another corpus."
        )
