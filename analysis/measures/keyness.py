"""Keyness: the terms that set a group of articles apart, tested with G2 and the log ratio.

A term ranks only with support: it must be found in ``min_docs`` articles of the side it
is key for, and terms are ordered by the end of the 95% confidence interval of their log
ratio nearest to zero (:func:`log_ratio_low`), so that a term seen a few times in one
group and never in the other does not come first. Spellings of one word
(defence/defense, Zelenskiy/Zelensky) are counted as one term (``variants=``).
"""

from __future__ import annotations

import functools
import math
import os
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from analysis.engine import Plan, cache_folder, is_dask, run
from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.measures.wordtable import Stopwords
from analysis.options import Copies, renamed, unique_copies
from analysis.text.variants import fold_map


def g2(a, b, c, d) -> np.ndarray:
    """
    Log-likelihood G2 of a term counted ``a`` times in ``c`` tokens and ``b`` in ``d``.

    ``G2 = 2 * (a ln(a/E1) + b ln(b/E2))`` with ``E1 = c (a+b)/(c+d)`` and
    ``E2 = d (a+b)/(c+d)`` (Dunning 1993, as computed by Rayson and Garside 2000);
    a zero count contributes 0.

    Examples
    --------
    >>> round(float(g2(10, 0, 1000, 1000)), 4)
    13.8629
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / np.where(e1 > 0, e1, 1)), 0.0)
        t2 = np.where(b > 0, b * np.log(np.where(b > 0, b, 1) / np.where(e2 > 0, e2, 1)), 0.0)
    return 2 * (t1 + t2)


def log_ratio(a, b, c, d) -> np.ndarray:
    """
    Hardie's log ratio: ``log2((a/c) / (b/d))``, with a zero count replaced by 0.5.

    Each unit is a doubling: 1 means twice as frequent (per token) in the target.
    The 0.5 substitution keeps terms absent from one side finite.

    Examples
    --------
    >>> float(log_ratio(20, 10, 1000, 1000))
    1.0
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    a = np.where(a == 0, 0.5, a)
    b = np.where(b == 0, 0.5, b)
    return np.log2((a / c) / (b / d))


def log_ratio_low(a, b, c, d, *, z: float = 1.96) -> np.ndarray:
    """
    The end of the confidence interval of the log ratio nearest to zero (0 when it holds 0).

    The interval is ``log_ratio ± z * sqrt(1/a + 1/b) / ln 2`` (the standard error of
    the log of a ratio of two Poisson rates, zero counts replaced by 0.5 as in
    :func:`log_ratio`); ``z = 1.96`` gives 95%. A term counted often is near its log
    ratio; a term counted a few times, in one group only, is near zero: ranking by
    this value puts well-supported differences first.

    Examples
    --------
    >>> round(float(log_ratio_low(400, 100, 10_000, 10_000)), 2)  # log ratio 2
    1.68
    >>> float(log_ratio_low(3, 0, 10_000, 10_000))  # log ratio 3.58, but 3 occurrences
    0.0
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    ratio = log_ratio(a, b, c, d)
    half = z * np.sqrt(1 / np.maximum(a, 0.5) + 1 / np.maximum(b, 0.5)) / np.log(2)
    return np.where(ratio > 0, np.maximum(ratio - half, 0.0), np.minimum(ratio + half, 0.0))


def adjust_pvalues(p, method: Literal["bh", "holm", "none"] = "bh") -> np.ndarray:
    """
    Correct p-values for multiple comparisons.

    ``"bh"``: Benjamini-Hochberg (controls the false discovery rate; the default,
    suited to screening thousands of terms); ``"holm"``: Holm-Bonferroni (controls
    the chance of any false positive; stricter); ``"none"``: unchanged.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    if method == "none" or m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "bh":
        adj = ranked * m / np.arange(1, m + 1)
        adj = np.minimum.accumulate(adj[::-1])[::-1]
    elif method == "holm":
        adj = ranked * (m - np.arange(m))
        adj = np.maximum.accumulate(adj)
    else:
        raise ParameterError(f"correction={method!r}; expected 'bh', 'holm' or 'none'")
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


_TABLE_COLUMNS = ("count", "count_ref", "docs", "docs_ref", "per_10k", "per_10k_ref", "g2",
                  "p", "p_adj", "log_ratio", "log_ratio_low", "significant")  # fmt: skip


def _test_terms(
    a, b, n_t, n_r, rank, docs_a, docs_b, *, min_count, min_docs, correction, alpha, top
) -> dict:
    """
    Test terms counted ``a`` times in the target (``n_t`` tokens, in ``docs_a``
    articles) and ``b`` in the reference (``n_r``, ``docs_b``); ``rank`` orders the
    terms alphabetically (for ties).

    A term is tested when counted ``min_count`` times in all and found in
    ``min_docs[0]`` articles of the target when more frequent there, else in
    ``min_docs[1]`` of the reference. Returns the table's columns for the
    rows kept, in the table's order (significant first, largest :func:`log_ratio_low`
    first, then by term), with ``rows``: the positions in ``a`` of those rows, and
    ``few_docs``: how many terms ``min_docs`` left out. With ``top``, only the ``top``
    significant terms with a positive log ratio.
    """
    # chi2.sf(x, 1) of scipy.stats, without importing scipy.stats (about a second):
    # the same function of scipy.special, and 1 at and below zero as chi2.sf gives
    from scipy.special import chdtrc

    if n_t == 0 or n_r == 0:
        raise ParameterError("keyness: one side of the comparison has no tokens")
    both = a + b
    rows = np.flatnonzero((both >= min_count) & (both > 0))
    # support on the side the term is key for (more frequent per token)
    need_t, need_r = min_docs
    ok = np.where(a[rows] * n_r >= b[rows] * n_t, docs_a[rows] >= need_t, docs_b[rows] >= need_r)
    few_docs = int(np.count_nonzero(~ok))
    rows = rows[ok]
    a, b, rank, docs_a, docs_b = a[rows], b[rows], rank[rows], docs_a[rows], docs_b[rows]
    stat = g2(a, b, n_t, n_r)
    p = chdtrc(1, np.maximum(stat, 0.0))
    p_adj = adjust_pvalues(p, correction)
    ratio = log_ratio(a, b, n_t, n_r)
    low = log_ratio_low(a, b, n_t, n_r)
    significant = p_adj < alpha
    if top is not None:
        pick = np.flatnonzero(significant & (ratio > 0))
        order = pick[np.lexsort((rank[pick], -ratio[pick], -low[pick]))][:top]
    else:
        order = np.lexsort((rank, -ratio, -low, ~significant))
    a, b = a[order], b[order]
    return {
        "rows": rows[order],
        "few_docs": few_docs,
        "count": a.astype(np.int64),
        "count_ref": b.astype(np.int64),
        "docs": docs_a[order].astype(np.int64),
        "docs_ref": docs_b[order].astype(np.int64),
        "per_10k": a * 10_000 / n_t,
        "per_10k_ref": b * 10_000 / n_r,
        "g2": stat[order],
        "p": p[order],
        "p_adj": p_adj[order],
        "log_ratio": ratio[order],
        "log_ratio_low": low[order],
        "significant": significant[order],
    }


def _compare(
    target: Counter,
    ref: Counter | None,
    n_t: int,
    n_r: int,
    *,
    docs: Counter,
    docs_ref: Counter | None,
    min_count,
    min_docs,
    correction,
    alpha,
    top: int | None = None,
    total: Counter | None = None,
    docs_total: Counter | None = None,
) -> tuple[pd.DataFrame, int]:
    """
    Test every term of ``target`` against ``ref`` (or, with ``ref=None``, against
    ``total`` minus ``target``: the rest of the table); ``docs``, ``docs_ref`` and
    ``docs_total`` count the articles holding each term.

    Rows come in table order (see :func:`_test_terms`); with ``top``, only the
    ``top`` significant terms with the largest positive log ratio. Also returns how
    many terms ``min_docs`` left out.
    """
    from itertools import repeat

    def values(counter, terms):
        return np.fromiter(map(counter.get, terms, repeat(0)), float, len(terms))

    if ref is None:
        terms = list(total.keys())
        a, da = values(target, terms), values(docs, terms)
        b, db = values(total, terms) - a, values(docs_total, terms) - da
    else:
        terms = list(target.keys() | ref.keys())
        a, b = values(target, terms), values(ref, terms)
        da, db = values(docs, terms), values(docs_ref, terms)
    res = _test_terms(
        a, b, n_t, n_r, wt.alphabetical_rank(terms), da, db,
        min_count=min_count, min_docs=min_docs, correction=correction, alpha=alpha, top=top,
    )  # fmt: skip
    rows = res.pop("rows").tolist()
    few_docs = res.pop("few_docs")
    # the type pandas gives a list of strings, even when none are kept
    res = {"term": pd.Series([terms[i] for i in rows], dtype=pd.Series(["term"]).dtype), **res}
    return pd.DataFrame(res), few_docs


@renamed(unique_stories="copies")
def keyness(
    articles: pd.DataFrame,
    *,
    by: str | None = None,
    target: object = None,
    reference: object = None,
    freq: Literal["D", "W", "M"] | None = None,
    min_count: int = 5,
    min_docs: int | None = None,
    alpha: float = 0.05,
    correction: Literal["bh", "holm", "none"] = "bh",
    top: int | None = None,
    variants: Literal["default"] | Mapping[str, Collection[str]] | None = "default",
    stopwords: Stopwords = "default",
    extra_stopwords: Collection[str] | None = None,
    copies: Copies = "all",
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Find the terms that distinguish a group of articles from a reference.

    Comparisons (chosen by the arguments):

    - ``by`` only: each group against all other rows (one-vs-rest), for every group;
    - ``by`` and ``target``: that group against the rest;
    - ``by``, ``target`` and ``reference`` (a value of ``by``): two groups;
    - ``reference`` a DataFrame: ``articles`` (or its ``by == target`` rows)
      against that reference corpus;
    - ``freq``: each period of ``published`` against the previous period.

    Each term is tested with the log-likelihood G2 (one degree of freedom,
    Dunning 1993 / Rayson and Garside 2000); p-values are corrected across the
    terms of one comparison (Benjamini-Hochberg by default, see
    :func:`adjust_pvalues`). The effect size is Hardie's log ratio (binary log of
    the ratio of relative frequencies, a zero count replaced by 0.5; see
    :func:`log_ratio`): positive means more frequent in the target.

    Terms are ranked by significance first, then by ``log_ratio_low``: the end of
    the 95% confidence interval of the log ratio nearest to zero (see
    :func:`log_ratio_low`). A term found 400 times in the target and 100 times in
    the reference (log ratio 2) ranks above one found 3 times and never in the
    reference (log ratio 3.6, but little evidence). A term must also be found in
    ``min_docs`` articles of the side it is key for: a word one article repeats,
    a byline or a name in one live blog, does not rank. Single letters (initials,
    as in a house style's "Vladimir V. Putin") are left out like stopwords.

    Parameters
    ----------
    min_count : int, default 5
        Test only terms counted at least this often in target and reference together.
    min_docs : int or None, default None
        Test only terms found in at least this many articles of the side they are
        more frequent in (the target for positive log ratios, else the reference).
        None: 5 articles, or a fifth of the side's articles when it has fewer than
        25 (at least 2; see :func:`docs_needed`). The table's ``attrs["few_docs"]``
        counts the terms left out, per comparison.
    alpha : float, default 0.05
        Threshold on the corrected p-value for ``significant``.
    top : int or None
        Keep the ``top`` terms with a positive log ratio among the significant
        ones per comparison (the distinctive vocabulary of the target), largest
        ``log_ratio_low`` first.
    variants : "default", mapping or None, default "default"
        Spellings counted as one term before testing: ``{"zelensky": ["zelenskiy",
        "zelenskyy"]}``; ``"default"``: the British/American pairs of
        :func:`analysis.spelling_variants` (defence -> defense, centre -> center,
        ...); None: none. Counts add up, and so do the articles holding a term (an
        article using two spellings counts twice). ``attrs["variants"]`` lists the
        spellings found and folded.
    cache_dir : path-like, None or False, default None
        ``None``: the folder of the corpus the table was read from, when known
        (``analysis.open_corpus``); ``False``: no cache.
        Per-article token counts kept in this folder, as in
        :func:`analysis.measures.terms.term_counts`.
    stopwords, extra_stopwords, copies, english_only
        See :mod:`analysis.measures.terms`.

    Returns
    -------
    DataFrame
        ``group, reference, term, count, count_ref, docs, docs_ref, per_10k,
        per_10k_ref, g2, p, p_adj, log_ratio, log_ratio_low, significant,
        n_articles, n_articles_ref, n_words, n_words_ref`` (``docs``: articles
        holding the term); per comparison, significant terms first, by
        ``log_ratio_low`` (largest first), then the rest.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A"] * 3 + ["B"] * 3,
    ...                    "text": ["ceasefire talks ceasefire"] * 3 + ["missile strike talks"] * 3})
    >>> keyness(df, by="outlet", target="A", min_count=1, min_docs=1)[["term", "count", "count_ref", "significant"]]
            term  count  count_ref  significant
    0  ceasefire      6          0         True
    1      talks      3          3        False
    2    missile      0          3        False
    3     strike      0          3        False
    """
    cache_dir = cache_folder(cache_dir, articles)
    unique_stories = unique_copies(copies)
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}; expected a number between 0 and 1")
    if correction not in ("bh", "holm", "none"):
        raise ParameterError(f"correction={correction!r}; expected 'bh', 'holm' or 'none'")
    if min_docs is not None and (not isinstance(min_docs, int) or min_docs < 0):
        raise ParameterError(
            f"min_docs={min_docs!r}; expected a whole number of articles, 0 or more"
        )
    # initials (the V. of a house style's "Vladimir V. Putin") are no key terms
    stop = wt.stopword_set(stopwords, extra_stopwords) | _LETTERS
    fold = fold_map(variants)
    folded: dict[str, set[str]] = {}
    opts = dict(english_only=english_only, unique_stories=unique_stories, where="keyness")
    table = _selected(articles, opts)

    def counted(frame, key: str | None, *, grouped: bool = False, period: str | None = None):
        dask = is_dask(frame)
        step = functools.partial(
            _count_groups,
            key=key,
            period=period,
            stop=stop,
            select=opts if dask else None,  # pandas rows are selected already
            cache_dir=None if dask else cache_dir,
            grouped=grouped and not dask,  # partitions give Counters, which add up
        )
        groups, counts = run(Plan(step=step, combine=wt.add_group_counts), frame)
        if grouped and not isinstance(counts, wt.GroupCounts):
            counts = wt.GroupCounts.from_counters(*counts, doc_freq=True)
        if fold and grouped:
            _note_folded(folded, fold, counts.terms.tolist())
            counts = counts.folded(fold)
        elif fold:
            _note_folded(folded, fold, counts[0][0].keys())
            counts = ([_fold(c, fold) for c in counts[0]], [_fold(c, fold) for c in counts[1]],
                      *counts[2:])  # fmt: skip
        labels = groups[key].tolist() if key else ["all"]
        return labels, counts

    tests = dict(min_count=min_count, min_docs=min_docs, correction=correction, alpha=alpha,
                 top=top)  # fmt: skip
    if isinstance(reference, pd.DataFrame) or is_dask(reference):
        if by is not None and target is not None:
            wt.need_columns(getattr(table, "_meta", table), [by], "keyness")
            table = table[table[by] == target]
        ref_table = _selected(reference, opts)
        _, (ct, ft, dt_, nt) = counted(table, None)
        _, (cr, fr, dr, nr) = counted(ref_table, None)
        label = target if target is not None else "target"
        comparisons = [
            Comparison(label, "reference", ct[0], cr[0], nt[0], nr[0], dt_[0], dr[0],
                       docs=ft[0], docs_ref=fr[0])
        ]  # fmt: skip
        return _noted(comparison_table(comparisons, **tests), folded)
    if freq is not None:
        if by is not None or target is not None or reference is not None:
            raise ParameterError(
                "keyness: freq compares periods; do not combine it with by/target/reference"
            )
        labels, grouped = counted(table, "period", grouped=True, period=freq)
        pairs = [(k, k - 1) for k in range(1, len(labels))]
    else:
        if by is None:
            raise ParameterError(
                "keyness needs by= (groups), reference= (a DataFrame) or freq= (periods)"
            )
        labels, grouped = counted(table, by, grouped=True)
        pairs = group_pairs(labels, by=by, target=target, reference=reference)
    return _noted(_grouped_table(labels, grouped, pairs, **tests), folded)


#: One-letter terms, left out of keyness like stopwords.
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def _fold(counter: Counter, fold: dict[str, str]) -> Counter:
    """A Counter with the counts of each spelling in ``fold`` added into its term."""
    if fold.keys().isdisjoint(counter):
        return counter
    out: Counter = Counter()
    for term, n in counter.items():
        out[fold.get(term, term)] += n
    return out


def _note_folded(folded: dict[str, set[str]], fold: dict[str, str], terms) -> None:
    """Record in ``folded`` (term -> spellings) the spellings of ``fold`` among ``terms``."""
    for term in terms:
        if term in fold:
            folded.setdefault(fold[term], set()).add(term)


def _noted(table: pd.DataFrame, folded: dict[str, set[str]]) -> pd.DataFrame:
    """The keyness table with the spellings folded in ``attrs["variants"]``."""
    table.attrs["variants"] = {term: sorted(folded[term]) for term in sorted(folded)}
    return table


def keyness_note(table: pd.DataFrame, *, examples: int = 6) -> str:
    """
    Say in a sentence what a :func:`keyness` table left out and which spellings it folded
    (``""`` for None: no table).

    Examples
    --------
    >>> t = pd.DataFrame(columns=["term"])
    >>> t.attrs = {"few_docs": {("A", "rest"): 12, ("B", "rest"): 3},
    ...            "variants": {"defense": ["defence"], "zelensky": ["zelenskiy", "zelenskyy"]}}
    >>> keyness_note(t)
    'Terms found in too few articles to rank were left out: 15 (12 for A, 3 for B). Spellings counted as one term: defence -> defense, zelenskiy/zelenskyy -> zelensky.'
    """
    if table is None:
        return ""
    attrs = getattr(table, "attrs", {}) or {}
    few = {k: v for k, v in (attrs.get("few_docs") or {}).items() if v}
    folded = attrs.get("variants") or {}
    parts = []
    if few:
        each = ", ".join(f"{n} for {group}" for (group, _), n in few.items())
        parts.append(
            f"Terms found in too few articles to rank were left out: {sum(few.values())} ({each})."
        )
    else:
        parts.append("No term was left out for being found in too few articles.")
    if folded:
        shown = [f"{'/'.join(v)} -> {k}" for k, v in list(folded.items())[:examples]]
        more = f" and {len(folded) - examples} more" if len(folded) > examples else ""
        parts.append(f"Spellings counted as one term: {', '.join(shown)}{more}.")
    else:
        parts.append("No spellings were folded.")
    return " ".join(parts)


def _selected(articles, opts: dict):
    """
    The rows keyness compares: selected at once from a pandas table; on Dask,
    story groups are found across partitions first and each partition's rows
    are selected where they are counted.
    """
    if not is_dask(articles):
        return wt.select_rows(articles, **opts)
    if opts["unique_stories"]:
        from analysis.engine.stories import with_stories

        return with_stories(articles)
    return articles


def _count_groups(
    frame: pd.DataFrame,
    *,
    key: str | None,
    period: str | None,
    stop: frozenset[str],
    select: dict | None,
    cache_dir,
    grouped: bool,
) -> tuple[pd.DataFrame, object]:
    """Token counts of a table per value of ``key`` (per ``period`` with a frequency)."""
    if select is not None:
        frame = wt.select_rows(frame, **select)
    if period is not None:
        frame = wt.add_period(frame, period, where="keyness")
    codes, groups = wt.group_codes(frame, [key] if key else [])
    counts = wt.count_terms(
        wt.text_source(frame),
        codes,
        len(groups),
        ngram=1,
        doc_freq=True,
        stop=stop,
        n_jobs=None if select is None else 1,
        table=frame,
        cache_dir=cache_dir,
        grouped=grouped,
    )
    return groups, counts


def _grouped_table(
    labels, grouped: wt.GroupCounts, pairs, *, min_docs: int | None, **tests
) -> pd.DataFrame:
    """
    :func:`comparison_table` of the comparisons ``pairs`` between the groups of
    ``grouped``: ``(i, j)`` is group ``i`` against group ``j``, or against the rest
    when ``j`` is None.
    """
    if not pairs:
        raise ParameterError("keyness: nothing to compare (a single period or an empty table)")
    rank = grouped.alphabetical_rank()
    n_terms = len(grouped.terms)
    n_words, n_docs = grouped.n_words, grouped.n_docs
    total = total_docs = None
    few_docs: dict = {}
    columns: dict[str, list] = {}
    sizes: list[int] = []
    group_labels: list = []
    ref_labels: list = []
    for i, j in pairs:
        cols_i, counts_i = grouped.row(i)
        docs_i = _doc_freqs(grouped, i)
        if j is None:
            if total is None:
                total = np.bincount(grouped.cols, weights=grouped.counts, minlength=n_terms)
                total_docs = np.bincount(grouped.cols, weights=grouped.doc_freqs, minlength=n_terms)
            cols = np.arange(n_terms)
            a, da = np.zeros(n_terms), np.zeros(n_terms)
            a[cols_i], da[cols_i] = counts_i, docs_i
            b, db = total - a, total_docs - da
            n_r, d_r, ref = sum(n_words) - n_words[i], sum(n_docs) - n_docs[i], "rest"
        else:
            cols_j, counts_j = grouped.row(j)
            cols = np.union1d(cols_i, cols_j)
            a, da, b, db = (np.zeros(len(cols)) for _ in range(4))
            at_i, at_j = np.searchsorted(cols, cols_i), np.searchsorted(cols, cols_j)
            a[at_i], da[at_i] = counts_i, docs_i
            b[at_j], db[at_j] = counts_j, _doc_freqs(grouped, j)
            n_r, d_r, ref = n_words[j], n_docs[j], labels[j]
        need = (docs_needed(min_docs, n_docs[i]), docs_needed(min_docs, d_r))
        res = _test_terms(a, b, n_words[i], n_r, rank[cols], da, db, min_docs=need, **tests)
        few_docs[(labels[i], ref)] = res.pop("few_docs")
        n = len(res["rows"])
        sizes.append(n)
        group_labels.append(labels[i])
        ref_labels.append(ref)
        parts = {
            "term": grouped.terms[cols[res.pop("rows")]],
            **res,
            "n_articles": np.full(n, n_docs[i], dtype=np.int64),
            "n_articles_ref": np.full(n, d_r, dtype=np.int64),
            "n_words": np.full(n, n_words[i], dtype=np.int64),
            "n_words_ref": np.full(n, n_r, dtype=np.int64),
        }
        for name, values in parts.items():
            columns.setdefault(name, []).append(values)
    # one label per comparison, repeated: the column takes the labels' type even when empty
    data = {
        "group": pd.Series(group_labels).repeat(sizes).reset_index(drop=True),
        "reference": pd.Series(ref_labels).repeat(sizes).reset_index(drop=True),
    }
    for name, values in columns.items():
        if name == "term":
            data[name] = pd.Series(np.concatenate(values), dtype=pd.Series(["term"]).dtype)
        else:
            data[name] = np.concatenate(values)
    table = pd.DataFrame(data)
    table.attrs["few_docs"] = few_docs
    return table


def docs_needed(min_docs: int | None, n_articles: int) -> int:
    """
    The fewest articles of a side a term must be found in: ``min_docs``, or by default
    5, or a fifth of the side's ``n_articles`` when fewer than 25 (at least 2).

    Examples
    --------
    >>> docs_needed(None, 6617), docs_needed(None, 10), docs_needed(None, 3), docs_needed(1, 10)
    (5, 2, 2, 1)
    """
    if min_docs is not None:
        return min_docs
    return min(5, max(2, math.ceil(n_articles / 5)))


def _doc_freqs(grouped: wt.GroupCounts, g: int) -> np.ndarray:
    """The number of articles of group ``g`` holding each of its terms."""
    a, b = grouped.indptr[g], grouped.indptr[g + 1]
    return grouped.doc_freqs[a:b]


class Comparison(NamedTuple):
    """One keyness comparison: a target's token counts against a reference's."""

    label: object
    reference: object
    counts: Counter
    counts_ref: Counter | None  # None: the rest of ``total``
    n_words: int
    n_words_ref: int
    n_articles: int
    n_articles_ref: int
    total: Counter | None = None
    #: articles holding each term (target, reference, whole table); see ``counts``
    docs: Counter | None = None
    docs_ref: Counter | None = None
    docs_total: Counter | None = None


def group_pairs(labels, *, by: str, target=None, reference=None) -> list[tuple[int, int | None]]:
    """
    The comparisons of :func:`keyness` between groups of one column, as positions in
    ``labels``: ``(i, j)`` for group ``i`` against group ``j``, ``(i, None)`` against
    the rest. Each group against the rest, ``target`` against the rest, or ``target``
    against ``reference``.
    """
    index = {lab: i for i, lab in enumerate(labels)}
    for value, name in ((target, "target"), (reference, "reference")):
        if value is not None and value not in index:
            raise ParameterError(
                f"keyness: {name}={value!r} is not a value of column {by!r} (values: {labels[:20]})"
            )
    if len(labels) < 2:
        raise ParameterError(f"keyness: column {by!r} has fewer than two groups")
    targets = [index[target]] if target is not None else range(len(labels))
    return [(i, index[reference] if reference is not None else None) for i in targets]


def comparison_table(
    comparisons: Sequence[Comparison],
    *,
    min_count: int = 5,
    min_docs: int | None = None,
    correction: Literal["bh", "holm", "none"] = "bh",
    alpha: float = 0.05,
    top: int | None = None,
) -> pd.DataFrame:
    """
    Test every comparison and stack the results in the layout of :func:`keyness`.

    A comparison without document counts (``docs``) counts each occurrence as an
    article of its own.
    """
    parts = []
    few_docs = {}
    for cmp in comparisons:
        # _compare gives the rows kept, in table order
        res, few_docs[(cmp.label, cmp.reference)] = _compare(
            cmp.counts,
            cmp.counts_ref,
            cmp.n_words,
            cmp.n_words_ref,
            docs=cmp.counts if cmp.docs is None else cmp.docs,
            docs_ref=cmp.counts_ref if cmp.docs_ref is None else cmp.docs_ref,
            min_count=min_count,
            min_docs=(docs_needed(min_docs, cmp.n_articles), docs_needed(min_docs, cmp.n_articles_ref)),
            correction=correction,
            alpha=alpha,
            top=top,
            total=cmp.total,
            docs_total=cmp.total if cmp.docs_total is None else cmp.docs_total,
        )  # fmt: skip
        res.insert(0, "reference", cmp.reference)
        res.insert(0, "group", cmp.label)
        parts.append(
            res.assign(
                n_articles=cmp.n_articles,
                n_articles_ref=cmp.n_articles_ref,
                n_words=cmp.n_words,
                n_words_ref=cmp.n_words_ref,
            )
        )
    if not parts:
        raise ParameterError("keyness: nothing to compare (a single period or an empty table)")
    table = pd.concat(parts, ignore_index=True)
    table.attrs["few_docs"] = few_docs
    return table
