"""
Findings: the few sentences a reader should see first, written from the result tables.

Each finding states its numbers and names the section it comes from. A claim is
made only when the tables support it: a group enters a comparison only with at
least ``min_articles`` articles (stories), two groups differ in tone only when their
95% intervals do not overlap, a source is named only with ``min_quotes`` quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.errors import ParameterError

#: Fewest articles (stories, for attention) a group needs to enter a finding.
MIN_ARTICLES = 20
#: Fewest quotes a source needs to be named among the most quoted.
MIN_QUOTES = 5
#: Most groups whose distinctive terms are written out (those with the most articles).
MAX_KEYNESS_GROUPS = 6
#: The speakers who are not a named source.
UNNAMED = ("(anonymous)", "(unattributed)")

#: The section each kind of finding links to (the report's headings).
SECTIONS = {
    "coverage": "Attention over time",
    "peak": "Attention over time",
    "keyness": "Keyness: what each group says more than the others",
    "tone": "Tone by group",
    "sources": "Who is quoted",
}


def findings(
    *,
    attention: pd.DataFrame | None = None,
    peaks: pd.DataFrame | None = None,
    keyness: pd.DataFrame | None = None,
    tone: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    by: str = "outlet",
    top: int = 3,
    min_articles: int = MIN_ARTICLES,
    min_quotes: int = MIN_QUOTES,
) -> list[dict[str, Any]]:
    """
    Write the main findings of a coverage report from its result tables.

    Parameters
    ----------
    attention : DataFrame or None
        :func:`analysis.attention` (``[by, period, matching, total, ...]``): the
        groups that covered the story most and least, per 1,000 stories.
    peaks : DataFrame or None
        :func:`analysis.attention_peaks`: the peak periods and their leading story.
    keyness : DataFrame or None
        :func:`analysis.keyness` by group: each group's most distinctive terms.
    tone : DataFrame or None
        :func:`analysis.tone_by` (``[by, n, mean, ci_low, ci_high, ...]``): groups
        whose 95% intervals do not overlap, or one sentence saying none differ.
    sources : DataFrame or None
        :func:`analysis.who_is_quoted`: the most quoted named sources.
    by : str, default "outlet"
        The grouping column of ``attention``, ``peaks``, ``tone`` and ``sources``.
    top : int, default 3
        Most items named in one finding (terms, sources, peaks, tone pairs).
    min_articles : int, default 20
        Fewest articles (stories) a group needs to enter a comparison.
    min_quotes : int, default 5
        Fewest quotes a source needs to be named.

    Returns
    -------
    list of dict
        One record per finding: ``kind`` (coverage, peak, keyness, tone, sources),
        ``section`` (the heading it links to) and ``text`` (the sentence, with its
        numbers), in that order of kinds.

    Examples
    --------
    >>> tone = pd.DataFrame({"outlet": ["A", "B"], "n": [40, 50], "mean": [-0.3, 0.1],
    ...                      "ci_low": [-0.4, 0.0], "ci_high": [-0.2, 0.2]})
    >>> findings(tone=tone)[0]["text"]
    'A was more negative in tone than B: mean -0.30 (95% CI -0.40 to -0.20, N=40) against 0.10 (0.00 to 0.20, N=50).'
    """
    if top < 1:
        raise ParameterError(f"findings: top={top!r}; expected 1 or more")
    found: list[dict[str, Any]] = []
    for kind, table, write in (
        ("coverage", attention, _coverage),
        ("peak", peaks, _peaks),
        ("keyness", keyness, _keyness),
        ("tone", tone, _tone),
        ("sources", sources, _sources),
    ):
        if table is None or len(table) == 0:
            continue
        for text in write(table, by=by, top=top, min_articles=min_articles, min_quotes=min_quotes):
            found.append({"kind": kind, "section": SECTIONS[kind], "text": text})
    return found


def _need(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ParameterError(f"findings: the {what} table has no column(s) {', '.join(missing)}")


def _coverage(table: pd.DataFrame, *, by: str, top: int, min_articles: int, **_: Any) -> list[str]:
    _need(table, [by, "matching", "total"], "attention")
    sums = table.groupby(by, observed=True)[["matching", "total"]].sum()
    sums = sums[sums["total"] >= min_articles]
    if len(sums) < 2:
        return []
    rate = (sums["matching"] / sums["total"] * 1000).sort_values(ascending=False, kind="stable")

    def said(group: Any) -> str:
        row = sums.loc[group]
        return (
            f"{group} ({rate[group]:,.0f} per 1,000 stories: "
            f"{int(row['matching']):,} of {int(row['total']):,})"
        )

    most, least = rate.index[0], rate.index[-1]
    if rate[most] == rate[least]:
        return [f"Every group gave the story the same share: {said(most)}."]
    return [f"{said(most)} covered the story most and {said(least)} least."]


def _when(value: Any) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%Y-%m-%d") if not pd.isna(stamp) else "an undated period"


def _peaks(table: pd.DataFrame, *, by: str, top: int, **_: Any) -> list[str]:
    _need(table, ["period", "share", "total", "title"], "peaks")
    keys = [c for c in (by, "period") if c in table.columns]
    leading = table.sort_values([*keys, "rank"] if "rank" in table else keys, kind="stable")
    leading = leading.drop_duplicates(keys).sort_values("share", ascending=False, kind="stable")
    sentences = []
    for row in leading.head(top).itertuples(index=False):
        record = row._asdict()
        who = f"{record[by]}, " if by in record else ""
        copies = record.get("copies")
        copied = (
            f" ({int(copies)} copies)"
            if copies is not None and not pd.isna(copies) and copies > 1
            else ""
        )
        sentences.append(
            f"Peak: {who}period of {_when(record['period'])}, {record['share']:.0%} of "
            f"{int(record['total']):,} stories matched the query, led by \u201c{record['title']}\u201d{copied}."
        )
    return sentences


def _keyness(table: pd.DataFrame, *, top: int, min_articles: int, **_: Any) -> list[str]:
    _need(table, ["group", "term", "log_ratio"], "keyness")
    said = []  # (articles, sentence) per group with distinctive terms
    for group, rows in table.groupby("group", sort=False, observed=True):
        n = rows["n_articles"].iloc[0] if "n_articles" in rows else None
        if n is not None and n < min_articles:
            continue
        if "significant" in rows:
            rows = rows[rows["significant"].astype(bool)]
        rows = rows[rows["log_ratio"] > 0].head(top)
        if not len(rows):
            continue
        terms = ", ".join(
            f"\u201c{r.term}\u201d ({2**r.log_ratio:,.1f}\u00d7 the rest's rate)"
            for r in rows.itertuples(index=False)
        )
        said.append((n or 0, f"{group} used distinctive terms: {terms}."))
    if len(said) <= MAX_KEYNESS_GROUPS:
        return [sentence for _, sentence in said]
    # many groups: the largest ones, in the table's order, and a pointer to the rest
    kept = sorted(range(len(said)), key=lambda i: -said[i][0])[:MAX_KEYNESS_GROUPS]
    rest = len(said) - MAX_KEYNESS_GROUPS
    return [said[i][1] for i in sorted(kept)] + [
        f"{rest} smaller group{'s' if rest > 1 else ''} also used distinctive terms; "
        "the keyness section lists them."
    ]


def _interval(row: Any, *, full: bool) -> str:
    ci = "95% CI " if full else ""
    return (
        f"{row['mean']:.2f} ({ci}{row['ci_low']:.2f} to {row['ci_high']:.2f}, N={int(row['n']):,})"
    )


def _tone(table: pd.DataFrame, *, by: str, top: int, min_articles: int, **_: Any) -> list[str]:
    _need(table, [by, "n", "mean", "ci_low", "ci_high"], "tone")
    groups = table[(table["n"] >= min_articles) & table["mean"].notna()]
    groups = groups.drop_duplicates(by).set_index(by)
    if len(groups) < 2:
        return []
    pairs = []
    for low in groups.index:
        for high in groups.index:
            if groups.at[low, "ci_high"] < groups.at[high, "ci_low"]:
                gap = groups.at[high, "mean"] - groups.at[low, "mean"]
                pairs.append((gap, low, high))
    if not pairs:
        return [
            f"No two groups differ in tone: the 95% intervals of all {len(groups)} groups "
            f"with {min_articles} articles or more overlap."
        ]
    pairs.sort(key=lambda p: -p[0])
    return [
        f"{low} was more negative in tone than {high}: mean "
        f"{_interval(groups.loc[low], full=True)} against {_interval(groups.loc[high], full=False)}."
        for _, low, high in pairs[:top]
    ]


def _sources(table: pd.DataFrame, *, top: int, min_quotes: int, **_: Any) -> list[str]:
    _need(table, ["speaker", "quotes"], "sources")
    named = table[~table["speaker"].isin(UNNAMED)]
    if "anonymous" in named:
        named = named[~named["anonymous"].astype(bool)]
    columns = ["quotes", "articles"] if "articles" in named else ["quotes"]
    sums = named.groupby("speaker", observed=True)[columns].sum()
    sums = sums[sums["quotes"] >= min_quotes].sort_values("quotes", ascending=False, kind="stable")
    if not len(sums):
        return []
    said = [
        f"{speaker} ({int(row['quotes']):,} quotes"
        + (f" in {int(row['articles']):,} articles)" if "articles" in row else ")")
        for speaker, row in sums.head(top).iterrows()
    ]
    return [f"Most quoted: {', '.join(said)}."]
