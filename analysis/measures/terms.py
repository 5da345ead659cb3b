"""What was said: term counts, collocations, trends, keyness and coverage volume.

Every function takes the canonical articles table and returns a tidy long table
whose rows carry the number of articles behind them (``n_articles``, the N of a
chart) and the number of tokens behind a rate (``n_words``), so any figure can be
traced back to its articles. Words are tokens of :func:`analysis.tokenize`.

Common options
--------------
stopwords : "default", None or a collection of words
    ``"default"`` removes English function words plus the news list of
    :func:`analysis.text.nlp.stopwords`; ``None`` keeps every token.
extra_stopwords : collection of str
    More words to drop for this call (e.g. the story's own name).
unique_stories : bool, default False
    ``False`` counts all copies (what readers saw); ``True`` keeps one copy per
    story: the ``is_duplicate`` column is used when present, otherwise
    :func:`analysis.find_duplicates` runs first (slower on large tables).
english_only : bool, default True
    Leave out rows whose ``language`` is known and is not English.
"""

from __future__ import annotations

import heapq
import logging
import os
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.text.tokens import tokenize

__all__ = ["term_counts", "collocations", "term_trends", "keyness", "volume"]

log = logging.getLogger(__name__)

Stopwords = Literal["default"] | Collection[str] | None


# --------------------------------------------------------------------------- counting


def _count(
    texts, codes, n_groups, *, ngram, doc_freq, stop, n_jobs, table=None, cache_dir=None,
    grouped=False,
):  # fmt: skip
    """
    Per group: token (or n-gram) Counters, doc-frequency Counters, docs, tokens.

    With ``cache_dir`` (and ``table``, the rows of ``texts``), single tokens are
    summed from per-article counts kept there (see ``_wordtable.count_unigrams_cached``).
    With ``grouped`` (single tokens only), the same counts as one
    :class:`_wordtable.GroupCounts`, stopwords left out.
    """
    if grouped:
        if table is not None and wt.use_cache(cache_dir, table):
            counts = wt.group_counts_cached(
                table, codes, n_groups, doc_freq=doc_freq, cache_dir=cache_dir
            )
        else:
            counts = wt.GroupCounts.from_counters(
                *wt.count_unigrams(texts, codes, n_groups, doc_freq=doc_freq, n_jobs=n_jobs),
                doc_freq=doc_freq,
            )
        return counts.without(stop)
    if ngram == 1:
        if table is not None and wt.use_cache(cache_dir, table):
            counts, dfs, n_docs, n_words = wt.count_unigrams_cached(
                table, codes, n_groups, doc_freq=doc_freq, cache_dir=cache_dir
            )
        else:
            counts, dfs, n_docs, n_words = wt.count_unigrams(
                texts, codes, n_groups, doc_freq=doc_freq, n_jobs=n_jobs
            )
        if stop:
            for c in counts + dfs:
                for w in stop & c.keys():
                    del c[w]
        return counts, dfs, n_docs, n_words
    counts = [Counter() for _ in range(n_groups)]
    dfs = [Counter() for _ in range(n_groups)]
    n_docs = [0] * n_groups
    n_words = [0] * n_groups
    for text, g in zip(texts, codes.tolist()):
        toks = tokenize(text)
        n_docs[g] += 1
        n_words[g] += len(toks)
        grams = [
            " ".join(w)
            for w in zip(*(toks[i:] for i in range(ngram)))
            if not stop or (w[0] not in stop and w[-1] not in stop)
        ]
        counts[g].update(grams)
        if doc_freq:
            dfs[g].update(set(grams))
    return counts, dfs, n_docs, n_words


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    """Order of terms in a top list: larger count first, then alphabetical."""
    return -item[1], item[0]


def term_counts(
    articles: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    ngram: int = 1,
    stopwords: Stopwords = "default",
    extra_stopwords: Collection[str] | None = None,
    min_count: int = 1,
    top: int | None = None,
    doc_freq: bool = True,
    unique_stories: bool = False,
    english_only: bool = True,
    n_jobs: int | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Count terms in article texts, optionally per group.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table (needs ``text``, and the ``by`` columns).
    by : str, sequence of str or None, default None
        Column(s) to group by; ``None`` counts the whole table as one group.
    ngram : int, default 1
        Count single tokens (1) or n-grams of consecutive tokens (2, 3, ...)
        written with single spaces (``"peace talks"``). With stopwords on, an
        n-gram is dropped when its first or last token is a stopword, so
        ``"ministry of defence"`` survives but ``"of the"`` does not.
    stopwords, extra_stopwords, unique_stories, english_only
        See the module documentation.
    min_count : int, default 1
        Drop terms counted fewer times than this in their group.
    top : int or None
        Keep the ``top`` most frequent terms per group.
    doc_freq : bool, default True
        Also count documents containing each term (``doc_freq``); ``False``
        skips that column and counts faster.
    n_jobs : int or None
        Threads for single-token counting (processes for texts that are not valid
        UTF-8); ``None`` uses every available core for large inputs (over ~3
        million characters) and one otherwise.
    cache_dir : path-like or None
        Folder (the corpus folder) where single-token counts are kept per article
        (``term_counts_cache.arrow``, keyed by article id and a hash of the text):
        a later call tokenizes only new or changed articles and sums the rest. The
        result is the same as without it. Needs the ``article_id`` column.

    Returns
    -------
    DataFrame
        ``[*by, term, count, doc_freq, per_10k, n_articles, n_words]``, most
        frequent first within each group: ``per_10k`` is the count per 10,000
        tokens of the group (``n_words``, stopwords included), ``n_articles`` the
        articles behind the row.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["a", "b", "b"],
    ...                    "text": ["Talks stall", "talks resume", "Talks, talks."]})
    >>> term_counts(df, by="outlet")
      outlet    term  count  doc_freq  per_10k  n_articles  n_words
    0      a   stall      1         1   5000.0           1        2
    1      a   talks      1         1   5000.0           1        2
    2      b   talks      3         2   7500.0           2        4
    3      b  resume      1         1   2500.0           2        4
    """
    if not isinstance(ngram, int) or ngram < 1:
        raise ParameterError(f"ngram={ngram!r}; expected a positive integer")
    by = wt.as_list(by)
    table = wt.select_rows(
        articles, english_only=english_only, unique_stories=unique_stories, where="term_counts"
    )
    stop = wt.stopword_set(stopwords, extra_stopwords)
    codes, groups = wt.group_codes(table, by)
    counted = _count(
        wt.text_source(table) if ngram == 1 else wt.texts_of(table),
        codes,
        len(groups),
        ngram=ngram,
        doc_freq=doc_freq,
        stop=stop,
        n_jobs=n_jobs,
        table=table,
        cache_dir=cache_dir,
        # counts summed from the cache stay arrays; fresh counts are Counters already
        grouped=ngram == 1 and wt.use_cache(cache_dir, table),
    )
    if isinstance(counted, wt.GroupCounts):
        n_docs, n_words = counted.n_docs, counted.n_words
    else:
        n_docs, n_words = counted[2], counted[3]
    parts = []
    for g, (terms, counts, doc_freqs) in enumerate(_top_terms(counted, min_count, top)):
        if len(terms):
            parts.append(
                counts_frame(
                    terms,
                    counts,
                    doc_freqs if doc_freq else None,
                    n_articles=n_docs[g],
                    n_words=n_words[g],
                    keys={col: groups[col].iloc[g] for col in by},
                )
            )
    return stack_counts(parts, by=by, doc_freq=doc_freq)


def _top_terms(counted, min_count: int, top: int | None):
    """
    Per group of ``counted`` (a :class:`_wordtable.GroupCounts`, or the Counters of
    :func:`_count`): the terms kept (counted at least ``min_count`` times; with
    ``top``, the ``top`` most frequent), their counts and document frequencies.

    At the cut, equal counts go to the alphabetically first term, on either engine,
    whatever order the counts were gathered in; :func:`stack_counts` sorts the table.
    """
    if isinstance(counted, wt.GroupCounts):
        rank = counted.alphabetical_rank() if top is not None else None
        for g in range(len(counted.n_docs)):
            a, b = counted.indptr[g], counted.indptr[g + 1]
            cols, counts = counted.cols[a:b], counted.counts[a:b]
            order = np.flatnonzero(counts >= min_count) if min_count > 1 else np.arange(b - a)
            if rank is not None:
                order = order[np.lexsort((rank[cols[order]], -counts[order]))][:top]
            dfs = None if counted.doc_freqs is None else counted.doc_freqs[a:b][order]
            yield counted.terms[cols[order]].tolist(), counts[order], dfs
        return
    counts, dfs, _, _ = counted
    for g, c in enumerate(counts):
        kept = c.items() if min_count <= 1 else [kv for kv in c.items() if kv[1] >= min_count]
        items = list(kept) if top is None else heapq.nsmallest(top, kept, key=_rank)
        terms = [k for k, _ in items]
        yield (
            terms,
            np.fromiter((v for _, v in items), np.int64, len(items)),
            np.fromiter((dfs[g].get(t, 0) for t in terms), np.int64, len(terms)),
        )


def counts_frame(
    terms, counts, doc_freqs, *, n_articles: int, n_words: int, keys: dict
) -> pd.DataFrame:
    """
    Build the rows of one group of :func:`term_counts` (group columns first).

    ``doc_freqs`` is None when document frequencies were not counted.
    """
    part = pd.DataFrame({"term": list(terms), "count": np.asarray(counts, dtype=np.int64)})
    if doc_freqs is not None:
        part["doc_freq"] = np.asarray(doc_freqs, dtype=np.int64)
    part["per_10k"] = part["count"] * 10_000 / n_words if n_words else np.nan
    part["n_articles"] = n_articles
    part["n_words"] = n_words
    for col, value in reversed(list(keys.items())):
        part.insert(0, col, value)
    return part


def stack_counts(parts: list[pd.DataFrame], *, by: list[str], doc_freq: bool) -> pd.DataFrame:
    """Stack :func:`counts_frame` parts in the layout and order of :func:`term_counts`."""
    cols = (
        [*by, "term", "count"]
        + (["doc_freq"] if doc_freq else [])
        + ["per_10k", "n_articles", "n_words"]
    )
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    # largest counts first, equal counts in alphabetical order
    out = out.sort_values(
        [*by, "count", "term"], ascending=[True] * len(by) + [False, True], kind="stable"
    )
    return out.reset_index(drop=True)[cols]


def collocations(
    articles: pd.DataFrame,
    *,
    n: Literal[2, 3] = 2,
    top: int = 50,
    min_count: int = 5,
    measure: Literal["likelihood_ratio", "pmi", "raw_freq"] = "likelihood_ratio",
    stopwords: Stopwords = "default",
    extra_stopwords: Collection[str] | None = None,
    unique_stories: bool = False,
    english_only: bool = True,
) -> pd.DataFrame:
    """
    Find multi-word phrases (collocations) with NLTK's collocation finders.

    Phrases never cross article boundaries; phrases containing a stopword, or a
    token without any letter, are left out. The phrases are ordinary terms: pass
    them to :func:`term_trends`, :func:`analysis.measures.kwic` or a dictionary, or count
    them with ``term_counts(..., ngram=n)``.

    Parameters
    ----------
    n : {2, 3}
        Phrase length.
    top : int, default 50
        Number of phrases returned, best score first.
    min_count : int, default 5
        Minimum number of occurrences of a phrase.
    measure : {"likelihood_ratio", "pmi", "raw_freq"}
        NLTK association measure used to score phrases (Dunning's likelihood ratio
        by default: robust for rare words, unlike PMI).

    Returns
    -------
    DataFrame
        ``term, score, count, n_articles`` where ``n_articles`` is the number of
        articles containing the phrase.

    Examples
    --------
    >>> df = pd.DataFrame({"text": ["Peace talks began. Peace talks stalled."] * 3})
    >>> collocations(df, min_count=2)[["term", "count", "n_articles"]].head(1)
              term  count  n_articles
    0  peace talks      6           3
    """
    from nltk.collocations import (
        BigramAssocMeasures,
        BigramCollocationFinder,
        TrigramAssocMeasures,
        TrigramCollocationFinder,
    )

    if n not in (2, 3):
        raise ParameterError(f"n={n!r}; collocations are found for n=2 or n=3")
    measures = BigramAssocMeasures if n == 2 else TrigramAssocMeasures
    if measure not in ("likelihood_ratio", "pmi", "raw_freq"):
        raise ParameterError(f"measure={measure!r}; expected likelihood_ratio, pmi or raw_freq")
    table = wt.select_rows(
        articles, english_only=english_only, unique_stories=unique_stories, where="collocations"
    )
    stop = wt.stopword_set(stopwords, extra_stopwords)
    docs = [tokenize(t) for t in wt.texts_of(table)]
    finder_cls = BigramCollocationFinder if n == 2 else TrigramCollocationFinder
    finder = finder_cls.from_documents(docs)
    finder.apply_freq_filter(min_count)
    finder.apply_word_filter(lambda w: w in stop or not any(ch.isalpha() for ch in w))
    scored = finder.score_ngrams(getattr(measures, measure))[:top]
    if not scored:
        return pd.DataFrame(columns=["term", "score", "count", "n_articles"])
    wanted = {g for g, _ in scored}
    df_counts: Counter = Counter()
    for toks in docs:
        df_counts.update(wanted.intersection(zip(*(toks[i:] for i in range(n)))))
    freq = finder.ngram_fd
    return pd.DataFrame(
        {
            "term": [" ".join(g) for g, _ in scored],
            "score": [s for _, s in scored],
            "count": [freq[g] for g, _ in scored],
            "n_articles": [df_counts[g] for g, _ in scored],
        }
    )


# --------------------------------------------------------------------------- trends and volume


def term_trends(
    articles: pd.DataFrame,
    terms: str | Sequence[str] | Mapping[str, Sequence[str]],
    *,
    freq: Literal["D", "W", "M"] = "W",
    by: str | Sequence[str] | None = "outlet",
    unique_stories: bool = False,
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Rate of terms per period and group, normalized by the group's volume in the period.

    Raw counts mislead when outlets publish different amounts: the rate is the
    number of matches per 10,000 tokens of all the group's articles in that
    period, and every point carries the articles and tokens behind it.

    Parameters
    ----------
    terms : str, sequence of str or mapping
        A term, a list of terms (one series each) or a mapping ``{label: [terms]}``
        (one series per label, summing its terms: a term set). Terms may be
        phrases (``"peace talks"``) and wildcards (``"negotiat*"``); they follow
        the counting rules of :mod:`analysis.measures.dictionaries`.
    freq : {"D", "W", "M"}, default "W"
        Day, week (starting Monday) or month of ``published`` (UTC).
    by : str, sequence of str or None, default "outlet"
        Group columns; ``None`` gives one series per term for the whole table.
    cache_dir : path-like or None
        Per-article token counts kept in this folder, as in :func:`term_counts`;
        only articles holding the first word of a phrase are read again.

    Returns
    -------
    DataFrame
        ``[*by, period, term, count, n_articles, articles_with_hits, n_words,
        per_10k]``, one row per group, period with articles, and term.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"],
    ...                    "published": pd.to_datetime(["2022-03-01", "2022-03-09", "2022-03-02"], utc=True),
    ...                    "text": ["Talks began", "Shelling resumed", "Talks failed"]})
    >>> term_trends(df, "talks", freq="M")[["outlet", "period", "count", "n_articles", "per_10k"]]
      outlet     period  count  n_articles  per_10k
    0      A 2022-03-01      1           2   2500.0
    1      B 2022-03-01      1           1   5000.0
    """
    from analysis.measures.dictionaries import _count_table, as_dictionary

    book = as_dictionary(terms, "term_trends")
    table = wt.select_rows(
        articles, english_only=english_only, unique_stories=unique_stories, where="term_trends"
    )
    out = _count_table(
        table,
        book,
        by=wt.as_list(by),
        freq=freq,
        label_col="term",
        where="term_trends",
        cache_dir=cache_dir,
    )
    return out.drop(columns="share_articles")


def volume(
    articles: pd.DataFrame,
    *,
    freq: Literal["D", "W", "M"] = "D",
    by: str | Sequence[str] | None = "outlet",
    unique_stories: bool = False,
    english_only: bool = False,
) -> pd.DataFrame:
    """
    Count articles per period and group, with each group's share of the period's coverage.

    Parameters
    ----------
    freq : {"D", "W", "M"}, default "D"
        Day, week (starting Monday) or month of ``published`` (UTC); rows with no
        publication time are left out.
    by : str, sequence of str or None, default "outlet"
    unique_stories : bool, default False
        Count each story once.
    english_only : bool, default False
        Volume counts every article unless asked.

    Returns
    -------
    DataFrame
        ``[*by, period, n_articles, share, n_words]`` for every group and every
        period from the first to the last (zeros where a group published nothing):
        ``share`` is the group's fraction of all articles in the period (NaN when
        the period has none), ``n_words`` sums the ``n_words`` column when present.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"],
    ...                    "published": pd.to_datetime(["2022-03-01", "2022-03-03", "2022-03-01"], utc=True),
    ...                    "text": ["x", "y", "z"]})
    >>> volume(df, freq="D")[["outlet", "period", "n_articles", "share"]].head(3)
      outlet     period  n_articles  share
    0      A 2022-03-01           1    0.5
    1      A 2022-03-02           0    NaN
    2      A 2022-03-03           1    1.0
    """
    by = wt.as_list(by)
    table = wt.select_rows(
        articles, english_only=english_only, unique_stories=unique_stories, where="volume"
    )
    table = wt.add_period(table, freq, where="volume")
    code = wt.FREQS[freq]
    if len(table):
        periods = pd.period_range(
            table["period"].min(), table["period"].max(), freq=code
        ).start_time
    else:
        periods = pd.DatetimeIndex([])
    words = table["n_words"] if "n_words" in table.columns else pd.Series(0, index=table.index)
    work = table.assign(_words=pd.to_numeric(words, errors="coerce").fillna(0).astype("int64"))
    if by:
        _, groups = wt.group_codes(table, by)
        grid = pd.MultiIndex.from_product(
            [*(groups[c].unique() for c in by), periods], names=[*by, "period"]
        )
        keys_frame = work[by].copy()
        for col in by:
            if keys_frame[col].isna().any():
                keys_frame[col] = keys_frame[col].astype("string").fillna("<NA>")
        work = work.assign(**{c: keys_frame[c] for c in by})
    else:
        grid = pd.Index(periods, name="period")
    agg = work.groupby([*by, "period"], dropna=False).agg(
        n_articles=("text", "size"), n_words=("_words", "sum")
    )
    agg = agg.reindex(grid, fill_value=0)
    total = agg.groupby(level="period")["n_articles"].transform("sum")
    share = agg["n_articles"] / total.where(total > 0)
    out = agg.assign(share=share).reset_index()
    return out[[*by, "period", "n_articles", "share", "n_words"]]


# --------------------------------------------------------------------------- keyness


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


_TABLE_COLUMNS = ("count", "count_ref", "per_10k", "per_10k_ref", "g2", "p", "p_adj",
                  "log_ratio", "significant")  # fmt: skip


def _test_terms(a, b, n_t, n_r, rank, *, min_count, correction, alpha, top) -> dict:
    """
    Test terms counted ``a`` times in the target (``n_t`` tokens) and ``b`` in the
    reference (``n_r``); ``rank`` orders the terms alphabetically (for ties).

    Returns the table's columns for the rows kept, in the table's order (significant
    first, largest log ratio first, then by term), with ``rows``: the positions in
    ``a`` of those rows. With ``top``, only the ``top`` significant terms with the
    largest positive log ratio.
    """
    # chi2.sf(x, 1) of scipy.stats, without importing scipy.stats (about a second):
    # the same function of scipy.special, and 1 at and below zero as chi2.sf gives
    from scipy.special import chdtrc

    if n_t == 0 or n_r == 0:
        raise ParameterError("keyness: one side of the comparison has no tokens")
    both = a + b
    rows = np.flatnonzero((both >= min_count) & (both > 0))
    a, b, rank = a[rows], b[rows], rank[rows]
    stat = g2(a, b, n_t, n_r)
    p = chdtrc(1, np.maximum(stat, 0.0))
    p_adj = adjust_pvalues(p, correction)
    ratio = log_ratio(a, b, n_t, n_r)
    significant = p_adj < alpha
    if top is not None:
        pick = np.flatnonzero(significant & (ratio > 0))
        order = pick[np.lexsort((rank[pick], -ratio[pick]))][:top]
    else:
        order = np.lexsort((rank, -ratio, ~significant))
    a, b = a[order], b[order]
    return {
        "rows": rows[order],
        "count": a.astype(np.int64),
        "count_ref": b.astype(np.int64),
        "per_10k": a * 10_000 / n_t,
        "per_10k_ref": b * 10_000 / n_r,
        "g2": stat[order],
        "p": p[order],
        "p_adj": p_adj[order],
        "log_ratio": ratio[order],
        "significant": significant[order],
    }


def _compare(
    target: Counter,
    ref: Counter | None,
    n_t: int,
    n_r: int,
    *,
    min_count,
    correction,
    alpha,
    top: int | None = None,
    total: Counter | None = None,
) -> pd.DataFrame:
    """
    Test every term of ``target`` against ``ref`` (or, with ``ref=None``, against
    ``total`` minus ``target``: the rest of the table).

    Rows come in table order (see :func:`_test_terms`); with ``top``, only the
    ``top`` significant terms with the largest positive log ratio.
    """
    from itertools import repeat

    if ref is None:
        terms = list(total.keys())
        a = np.fromiter(map(target.get, terms, repeat(0)), float, len(terms))
        b = np.fromiter(total.values(), float, len(terms)) - a
    else:
        terms = list(target.keys() | ref.keys())
        a = np.fromiter(map(target.get, terms, repeat(0)), float, len(terms))
        b = np.fromiter(map(ref.get, terms, repeat(0)), float, len(terms))
    res = _test_terms(
        a, b, n_t, n_r, wt.alphabetical_rank(terms),
        min_count=min_count, correction=correction, alpha=alpha, top=top,
    )  # fmt: skip
    rows = res.pop("rows").tolist()
    # the type pandas gives a list of strings, even when none are kept
    res = {"term": pd.Series([terms[i] for i in rows], dtype=pd.Series(["term"]).dtype), **res}
    return pd.DataFrame(res)


def keyness(
    articles: pd.DataFrame,
    *,
    by: str | None = None,
    target: object = None,
    reference: object = None,
    freq: Literal["D", "W", "M"] | None = None,
    min_count: int = 5,
    alpha: float = 0.05,
    correction: Literal["bh", "holm", "none"] = "bh",
    top: int | None = None,
    stopwords: Stopwords = "default",
    extra_stopwords: Collection[str] | None = None,
    unique_stories: bool = False,
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

    Parameters
    ----------
    min_count : int, default 5
        Test only terms counted at least this often in target and reference together.
    alpha : float, default 0.05
        Threshold on the corrected p-value for ``significant``.
    top : int or None
        Keep the ``top`` terms with the largest positive log ratio among the
        significant ones per comparison (the distinctive vocabulary of the target).
    cache_dir : path-like or None
        Per-article token counts kept in this folder, as in :func:`term_counts`.

    Returns
    -------
    DataFrame
        ``group, reference, term, count, count_ref, per_10k, per_10k_ref, g2, p,
        p_adj, log_ratio, significant, n_articles, n_articles_ref, n_words,
        n_words_ref``; per comparison, significant terms first, by log ratio
        (largest first), then the rest.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A"] * 3 + ["B"] * 3,
    ...                    "text": ["ceasefire talks ceasefire"] * 3 + ["missile strike talks"] * 3})
    >>> keyness(df, by="outlet", target="A", min_count=1)[["term", "count", "count_ref", "significant"]]
            term  count  count_ref  significant
    0  ceasefire      6          0         True
    1      talks      3          3        False
    2    missile      0          3        False
    3     strike      0          3        False
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}; expected a number between 0 and 1")
    if correction not in ("bh", "holm", "none"):
        raise ParameterError(f"correction={correction!r}; expected 'bh', 'holm' or 'none'")
    stop = wt.stopword_set(stopwords, extra_stopwords)
    opts = dict(english_only=english_only, unique_stories=unique_stories, where="keyness")
    table = wt.select_rows(articles, **opts)

    def counted(frame: pd.DataFrame, key: str | None, *, grouped: bool = False):
        keys = [key] if key else []
        codes, groups = wt.group_codes(frame, keys)
        counts = _count(
            wt.text_source(frame),
            codes,
            len(groups),
            ngram=1,
            doc_freq=False,
            stop=stop,
            n_jobs=None,
            table=frame,
            cache_dir=cache_dir,
            grouped=grouped,
        )
        labels = groups[key].tolist() if key else ["all"]
        return labels, counts

    tests = dict(min_count=min_count, correction=correction, alpha=alpha, top=top)
    if isinstance(reference, pd.DataFrame):
        if by is not None and target is not None:
            wt.need_columns(table, [by], "keyness")
            table = table[table[by] == target]
        ref_table = wt.select_rows(reference, **opts)
        _, (ct, _, dt_, nt) = counted(table, None)
        _, (cr, _, dr, nr) = counted(ref_table, None)
        label = target if target is not None else "target"
        comparisons = [Comparison(label, "reference", ct[0], cr[0], nt[0], nr[0], dt_[0], dr[0])]
        return comparison_table(comparisons, **tests)
    if freq is not None:
        if by is not None or target is not None or reference is not None:
            raise ParameterError(
                "keyness: freq compares periods; do not combine it with by/target/reference"
            )
        period_table = wt.add_period(table, freq, where="keyness")
        labels, grouped = counted(period_table, "period", grouped=True)
        pairs = [(k, k - 1) for k in range(1, len(labels))]
    else:
        if by is None:
            raise ParameterError(
                "keyness needs by= (groups), reference= (a DataFrame) or freq= (periods)"
            )
        labels, grouped = counted(table, by, grouped=True)
        pairs = group_pairs(labels, by=by, target=target, reference=reference)
    return _grouped_table(labels, grouped, pairs, **tests)


def _grouped_table(labels, grouped: wt.GroupCounts, pairs, **tests) -> pd.DataFrame:
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
    total = None
    columns: dict[str, list] = {}
    sizes: list[int] = []
    group_labels: list = []
    ref_labels: list = []
    for i, j in pairs:
        cols_i, counts_i = grouped.row(i)
        if j is None:
            if total is None:
                total = np.bincount(grouped.cols, weights=grouped.counts, minlength=n_terms)
            cols = np.arange(n_terms)
            a = np.zeros(n_terms)
            a[cols_i] = counts_i
            b = total - a
            n_r, d_r, ref = sum(n_words) - n_words[i], sum(n_docs) - n_docs[i], "rest"
        else:
            cols_j, counts_j = grouped.row(j)
            cols = np.union1d(cols_i, cols_j)
            a = np.zeros(len(cols))
            a[np.searchsorted(cols, cols_i)] = counts_i
            b = np.zeros(len(cols))
            b[np.searchsorted(cols, cols_j)] = counts_j
            n_r, d_r, ref = n_words[j], n_docs[j], labels[j]
        res = _test_terms(a, b, n_words[i], n_r, rank[cols], **tests)
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
    return pd.DataFrame(data)


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
    correction: Literal["bh", "holm", "none"] = "bh",
    alpha: float = 0.05,
    top: int | None = None,
) -> pd.DataFrame:
    """Test every comparison and stack the results in the layout of :func:`keyness`."""
    parts = []
    for cmp in comparisons:
        # _compare gives the rows kept, in table order
        res = _compare(
            cmp.counts,
            cmp.counts_ref,
            cmp.n_words,
            cmp.n_words_ref,
            min_count=min_count,
            correction=correction,
            alpha=alpha,
            top=top,
            total=cmp.total,
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
    return pd.concat(parts, ignore_index=True)
