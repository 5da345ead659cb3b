"""Measures on Dask tables that are not yet written as one plan for both engines.

Each function here takes the options of the pandas measure of the same name and
gives the same result; :func:`engine_aware` hands a Dask table to it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from analysis.engine import either, is_dask
from analysis.engine.partitions import (
    partitions,
    tree_reduce,
)
from analysis.engine.stories import find_duplicates
from analysis.errors import ParameterError
from analysis.options import Copies, renamed, unique_copies

if TYPE_CHECKING:
    import dask.dataframe as dd

log = logging.getLogger(__name__)


def _rows_for(articles: dd.DataFrame, unique_stories: bool, options: dict) -> dd.DataFrame:
    """The rows a measurement reads: with ``unique_stories``, story fields found across partitions."""
    if unique_stories and "is_duplicate" not in articles.columns:
        return find_duplicates(articles, **options)
    return articles


def _word_partial(part: pd.DataFrame, by: list[str], options: dict) -> dict:
    """Per-group token Counters of one partition, keyed by the group's values."""
    from analysis.measures import wordtable as wt
    from analysis.measures.terms import _count

    table = wt.select_rows(
        part,
        english_only=options["english_only"],
        unique_stories=options["unique_stories"],
        where=options["where"],
    )
    if options.get("freq"):
        table = wt.add_period(table, options["freq"], where=options["where"])
    codes, groups = wt.group_codes(table, by)
    # the same text form the pandas engine hands its counter
    bytes_form = options["ngram"] == 1
    counts, dfs, n_docs, n_words = _count(
        wt.text_source(table) if bytes_form else wt.texts_of(table),
        codes,
        len(groups),
        ngram=options["ngram"],
        doc_freq=options["doc_freq"],
        stop=options["stop"],
        n_jobs=1,
    )
    keys = list(groups.itertuples(index=False, name=None)) if by else [()]
    return {
        key: (
            _term_table(counts[g], dfs[g]),
            n_docs[g],
            n_words[g],
            {c: groups[c].iloc[g] for c in by},
        )
        for g, key in enumerate(keys)
        if n_docs[g]
    }


def _term_table(counts: Any, dfs: Any) -> pd.DataFrame:
    """A Counter of terms (and one of documents) as a table indexed by term: compact to ship."""
    import numpy as np

    terms = list(counts)
    return pd.DataFrame(
        {
            "count": np.fromiter(counts.values(), np.int64, len(terms)),
            "doc_freq": np.fromiter((dfs.get(t, 0) for t in terms), np.int64, len(terms)),
        },
        index=pd.Index(terms, name="term", dtype=object),
    )


def _merge_word_partials(partials: list[dict]) -> dict:
    """Add per-group term counts, document frequencies, articles and tokens."""
    grouped: dict = {}
    for partial in partials:
        for key, value in partial.items():
            grouped.setdefault(key, []).append(value)
    out = {}
    for key, values in grouped.items():
        tables = [v[0] for v in values]
        table = (
            tables[0] if len(tables) == 1 else pd.concat(tables).groupby(level=0, sort=False).sum()
        )
        out[key] = (table, sum(v[1] for v in values), sum(v[2] for v in values), values[0][3])
    return out


def _word_counts(articles: dd.DataFrame, by: list[str], options: dict) -> dict:
    from dask import delayed

    parts = [delayed(_word_partial, pure=True)(p, by, options) for p in partitions(articles)]
    return tree_reduce(parts, _merge_word_partials).compute()


def _counter(table: pd.DataFrame) -> Any:
    from collections import Counter

    return Counter(dict(zip(table.index.tolist(), table["count"].tolist())))


def _sort_key(key: tuple) -> tuple:
    return tuple((v is None, str(type(v)), v) for v in key)


@renamed(unique_stories="copies")
def keyness(
    articles: dd.DataFrame,
    *,
    by: str | None = None,
    target: object = None,
    reference: object = None,
    freq: Literal["D", "W", "M"] | None = None,
    min_count: int = 5,
    alpha: float = 0.05,
    correction: Literal["bh", "holm", "none"] = "bh",
    top: int | None = None,
    stopwords: Any = "default",
    extra_stopwords: Any = None,
    copies: Copies = "all",
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Find distinctive terms from counts added across partitions: :func:`analysis.keyness` on Dask.

    Token counts per group (or per period) are computed partition by partition
    and added; the comparisons, G2 tests, corrections and effect sizes are then
    those of the pandas engine. ``reference`` may be a value of ``by``, or a
    pandas or Dask table (a reference corpus). ``cache_dir`` is accepted and
    ignored, as in :func:`term_counts`.

    Returns
    -------
    DataFrame
        As :func:`analysis.keyness`.

    Examples
    --------
    >>> keyness(open_dask_corpus("data/corpus"), by="outlet")  # doctest: +SKIP
    """
    unique_stories = unique_copies(copies)
    from collections import Counter

    from analysis.measures import wordtable as wt
    from analysis.measures.terms import _compare

    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}; expected a number between 0 and 1")
    if correction not in ("bh", "holm", "none"):
        raise ParameterError(f"correction={correction!r}; expected 'bh', 'holm' or 'none'")
    options = dict(
        english_only=english_only,
        unique_stories=unique_stories,
        where="keyness",
        ngram=1,
        doc_freq=False,
        stop=wt.stopword_set(stopwords, extra_stopwords),
    )
    table = _rows_for(articles, unique_stories, {})

    def counted(frame: Any, key: str | None, *, period: bool = False) -> tuple:
        if not is_dask(frame):
            import dask.dataframe as dd

            frame = dd.from_pandas(frame, npartitions=1, sort=False)
        keys = [key] if key else []
        merged = _word_counts(frame, keys, {**options, "freq": freq if period else None})
        ordered = sorted(merged, key=_sort_key)
        labels = [merged[k][3][key] for k in ordered] if key else ["all"]
        got = [merged[k] for k in ordered] or [(_term_table(Counter(), Counter()), 0, 0, None)]
        return labels, [_counter(g[0]) for g in got], [g[1] for g in got], [g[2] for g in got]

    comparisons = []
    if reference is not None and (isinstance(reference, pd.DataFrame) or is_dask(reference)):
        if by is not None and target is not None:
            table = table[table[by] == target]
        _, ct, dt_, nt = counted(table, None)
        _, cr, dr, nr = counted(reference, None)
        label = target if target is not None else "target"
        comparisons.append((label, "reference", ct[0], cr[0], nt[0], nr[0], dt_[0], dr[0]))
    elif freq is not None:
        if by is not None or target is not None or reference is not None:
            raise ParameterError(
                "keyness: freq compares periods; do not combine it with by/target/reference"
            )
        labels, counts, n_docs, n_words = counted(table, "period", period=True)
        for k in range(1, len(labels)):
            comparisons.append(
                (
                    labels[k],
                    labels[k - 1],
                    counts[k],
                    counts[k - 1],
                    n_words[k],
                    n_words[k - 1],
                    n_docs[k],
                    n_docs[k - 1],
                )
            )
    else:
        if by is None:
            raise ParameterError(
                "keyness needs by= (groups), reference= (a DataFrame) or freq= (periods)"
            )
        labels, counts, n_docs, n_words = counted(table, by)
        index = {lab: i for i, lab in enumerate(labels)}
        for value, name in ((target, "target"), (reference, "reference")):
            if value is not None and value not in index:
                raise ParameterError(
                    f"keyness: {name}={value!r} is not a value of column {by!r} (values: {labels[:20]})"
                )
        if len(labels) < 2:
            raise ParameterError(f"keyness: column {by!r} has fewer than two groups")
        total: Counter = Counter()
        for c in counts:
            total.update(c)
        n_all, d_all = sum(n_words), sum(n_docs)
        for lab in [target] if target is not None else labels:
            i = index[lab]
            if reference is not None:
                j = index[reference]
                comparisons.append(
                    (
                        lab,
                        reference,
                        counts[i],
                        counts[j],
                        n_words[i],
                        n_words[j],
                        n_docs[i],
                        n_docs[j],
                    )
                )
            else:
                rest = total.copy()
                rest.subtract(counts[i])
                comparisons.append(
                    (
                        lab,
                        "rest",
                        counts[i],
                        +rest,
                        n_words[i],
                        n_all - n_words[i],
                        n_docs[i],
                        d_all - n_docs[i],
                    )
                )
    parts = []
    for label, ref_label, ct, cr, n_t, n_r, d_t, d_r in comparisons:
        res = _compare(
            ct, cr, n_t, n_r, min_count=min_count, correction=correction, alpha=alpha, top=top
        )  # rows kept and in table order already
        res.insert(0, "reference", ref_label)
        res.insert(0, "group", label)
        parts.append(res.assign(n_articles=d_t, n_articles_ref=d_r, n_words=n_t, n_words_ref=n_r))
    if not parts:
        raise ParameterError("keyness: nothing to compare (a single period or an empty table)")
    return pd.concat(parts, ignore_index=True)


#: Helpers with a Dask version here: public name -> function of this module.
DASK_VERSIONS: dict[str, Callable[..., Any]] = {
    "keyness": keyness,
}


def engine_aware(func: Callable[..., Any]) -> Callable[..., Any]:
    """
    Wrap a pandas helper so that, given a Dask table, it runs its Dask version.

    Lets a notebook call ``analysis.term_counts(articles)`` whichever engine
    opened ``articles``: any Dask table among the arguments (the articles, a
    reference corpus, the table of :func:`add_article_column`) selects the Dask
    version. A helper without a Dask version is returned unchanged.

    Examples
    --------
    >>> from analysis.measures.terms import term_counts as pandas_counts
    >>> counts = engine_aware(pandas_counts)
    >>> df = pd.DataFrame({"text": ["Talks stall", "talks resume"]})
    >>> counts(df, stopwords=None)["term"].tolist()
    ['talks', 'resume', 'stall']
    """
    dask_version = DASK_VERSIONS.get(getattr(func, "__name__", ""))
    if dask_version is None or dask_version is func:
        return func
    return either(func, dask_version)
