"""What was said: term counts, collocations, trends, keyness and coverage volume.

Every function takes the canonical articles table and returns a tidy long table
whose rows carry the number of articles behind them (``n_articles``, the N of a
chart) and the number of tokens behind a rate (``n_words``), so any figure can be
traced back to its articles. Words are tokens of :func:`analysis.tokenize`.
Keyness is tested in :mod:`analysis.measures.keyness` and exported here.

Common options
--------------
stopwords : "default", None or a collection of words
    ``"default"`` removes English function words plus the news list of
    :func:`analysis.text.nlp.stopwords`; ``None`` keeps every token.
extra_stopwords : collection of str
    More words to drop for this call (e.g. the story's own name).
copies : {"unique", "all"}, default "all"
    ``"all"`` counts every copy (what readers saw); ``"unique"`` keeps one copy
    per story: the ``is_duplicate`` column is used when present, otherwise
    :func:`analysis.find_duplicates` runs first (slower on large tables).
english_only : bool, default True
    Leave out rows whose ``language`` is known and is not English.
"""

from __future__ import annotations

import functools
import heapq
import logging
import os
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.engine import Plan, cache_folder, gather, is_dask, run
from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.measures.keyness import (  # noqa: F401 (re-exported)
    Comparison,
    adjust_pvalues,
    comparison_table,
    g2,
    keyness,
    log_ratio,
)
from analysis.measures.wordtable import Stopwords
from analysis.options import Copies, renamed, unique_copies
from analysis.text.tokens import tokenize

__all__ = ["term_counts", "collocations", "term_trends", "keyness", "volume"]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- counting


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    """Order of terms in a top list: larger count first, then alphabetical."""
    return -item[1], item[0]


@renamed(unique_stories="copies")
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
    copies: Copies = "all",
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
    stopwords, extra_stopwords, copies, english_only
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
    cache_dir : path-like, None or False, default None
        ``None``: the folder of the corpus the table was read from, when known
        (``analysis.open_corpus``); ``False``: no cache.
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
        articles behind the row (those with a body: metadata-only articles are
        left out, see :func:`analysis.schema.with_text`).

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
    cache_dir = cache_folder(cache_dir, articles)
    unique_stories = unique_copies(copies)
    if not isinstance(ngram, int) or ngram < 1:
        raise ParameterError(f"ngram={ngram!r}; expected a positive integer")
    by = wt.as_list(by)
    if is_dask(articles):  # each partition counted from its text, in its worker
        wt.need_columns(articles._meta, [*by, "text"], "term_counts")
        cache_dir, n_jobs = None, 1
    count = functools.partial(
        _count_step,
        by=by,
        ngram=ngram,
        stop=wt.stopword_set(stopwords, extra_stopwords),
        doc_freq=doc_freq,
        unique_stories=unique_stories,
        english_only=english_only,
        n_jobs=n_jobs,
        cache_dir=cache_dir,
    )
    finish = functools.partial(
        _counts_table, by=by, min_count=min_count, top=top, doc_freq=doc_freq
    )
    return run(
        Plan(step=count, combine=wt.add_group_counts, finish=finish, stories=unique_stories),
        articles,
    )


def _count_step(
    articles: pd.DataFrame,
    *,
    by: list[str],
    ngram: int,
    stop: frozenset[str],
    doc_freq: bool,
    unique_stories: bool,
    english_only: bool,
    n_jobs: int | None,
    cache_dir,
) -> tuple[pd.DataFrame, object]:
    """Count the terms of a table per group: the groups' keys and the counts (see :func:`analysis.measures.wordtable.count_terms`)."""
    table = wt.select_rows(
        articles, english_only=english_only, unique_stories=unique_stories, where="term_counts"
    )
    codes, groups = wt.group_codes(table, by)
    counted = wt.count_terms(
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
    return groups, counted


def _counts_table(
    piece: tuple[pd.DataFrame, object], *, by: list[str], min_count: int, top, doc_freq: bool
) -> pd.DataFrame:
    """The long table of :func:`term_counts` from the counts per group."""
    groups, counted = piece
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
    :func:`analysis.measures.wordtable.count_terms`): the terms kept (counted at least ``min_count`` times; with
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


@renamed(unique_stories="copies")
@renamed(n="ngram")
def collocations(
    articles: pd.DataFrame,
    *,
    ngram: Literal[2, 3] = 2,
    top: int = 50,
    min_count: int = 5,
    measure: Literal["likelihood_ratio", "pmi", "raw_freq"] = "likelihood_ratio",
    stopwords: Stopwords = "default",
    extra_stopwords: Collection[str] | None = None,
    copies: Copies = "all",
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
    ngram : {2, 3}
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
    unique_stories = unique_copies(copies)
    from nltk.collocations import (
        BigramAssocMeasures,
        BigramCollocationFinder,
        TrigramAssocMeasures,
        TrigramCollocationFinder,
    )

    if ngram not in (2, 3):
        raise ParameterError(f"ngram={ngram!r}; collocations are found for ngram=2 or ngram=3")
    measures = BigramAssocMeasures if ngram == 2 else TrigramAssocMeasures
    if measure not in ("likelihood_ratio", "pmi", "raw_freq"):
        raise ParameterError(f"measure={measure!r}; expected likelihood_ratio, pmi or raw_freq")
    table = wt.select_rows(
        articles, english_only=english_only, unique_stories=unique_stories, where="collocations"
    )
    stop = wt.stopword_set(stopwords, extra_stopwords)
    docs = [tokenize(t) for t in wt.texts_of(table)]
    finder_cls = BigramCollocationFinder if ngram == 2 else TrigramCollocationFinder
    finder = finder_cls.from_documents(docs)
    finder.apply_freq_filter(min_count)
    finder.apply_word_filter(lambda w: w in stop or not any(ch.isalpha() for ch in w))
    scored = finder.score_ngrams(getattr(measures, measure))[:top]
    if not scored:
        return pd.DataFrame(columns=["term", "score", "count", "n_articles"])
    wanted = {g for g, _ in scored}
    df_counts: Counter = Counter()
    for toks in docs:
        df_counts.update(wanted.intersection(zip(*(toks[i:] for i in range(ngram)))))
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


@renamed(unique_stories="copies")
def term_trends(
    articles: pd.DataFrame,
    terms: str | Sequence[str] | Mapping[str, Sequence[str]],
    *,
    freq: Literal["D", "W", "M"] = "W",
    by: str | Sequence[str] | None = "outlet",
    copies: Copies = "all",
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
    cache_dir : path-like, None or False, default None
        ``None``: the folder of the corpus the table was read from, when known
        (``analysis.open_corpus``); ``False``: no cache.
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
    cache_dir = cache_folder(cache_dir, articles)
    unique_stories = unique_copies(copies)
    from analysis.measures.dictionaries import _count_table, as_dictionary, counts_on_partitions

    book = as_dictionary(terms, "term_trends")  # a bad term fails here, not on a worker
    if is_dask(articles):
        return counts_on_partitions(
            term_trends,
            articles,
            terms,
            by=by,
            freq=freq,
            label="term",
            copies=copies,
            english_only=english_only,
        )
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


@renamed(unique_stories="copies")
def volume(
    articles: pd.DataFrame,
    *,
    freq: Literal["D", "W", "M"] = "D",
    by: str | Sequence[str] | None = "outlet",
    copies: Copies = "all",
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
    copies : {"unique", "all"}, default "all"
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
    unique_stories = unique_copies(copies)
    by = wt.as_list(by)
    if is_dask(articles):  # only the columns volume reads, one small row per article
        text = articles["text"].dtype if "text" in articles.columns else None
        wanted = [*by, "published", "n_words", "language", "is_duplicate"]
        articles = gather(articles, wanted, stories=unique_stories)
        if text is not None:  # counted, never read: an empty body per row stands in
            articles = articles.assign(text=pd.Series("", index=articles.index, dtype=text))
    table = wt.select_rows(
        articles,
        english_only=english_only,
        unique_stories=unique_stories,
        where="volume",
        text_only=False,
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
