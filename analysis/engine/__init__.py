"""Engines: run a measure on one pandas table or on the partitions of a Dask table.

A measure is written once, as a :class:`Plan`: the step it runs on a table of
articles, how the pieces of several tables combine, and the finishing step on the
combined piece. :func:`run` carries a plan out: on a pandas table the step runs
once on the whole table (one partition); on a Dask table it runs on every
partition and the pieces are combined in a tree, or concatenated in order. A
measure whose result has a row per article, sentence or quote declares that with
:func:`each_partition` and stays lazy on Dask.

The engine knows no measure. Only this package imports dask, and only once a
Dask table is passed in or ``engine="dask"`` is asked for, so ``import analysis``
stays cheap.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd

Engine = Literal["pandas", "dask"]


def concat(pieces: Sequence[pd.DataFrame | None]) -> pd.DataFrame:
    """
    Concatenate tables in order, renumbering the index (empty pieces add no rows).

    Examples
    --------
    >>> concat([pd.DataFrame({"n": [1]}), pd.DataFrame({"n": []}), pd.DataFrame({"n": [2]})])["n"].tolist()
    [1, 2]
    """
    frames = [f for f in pieces if f is not None]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True)


@dataclasses.dataclass(frozen=True)
class Plan:
    """
    How a measure runs: a step per table of articles, a combination, a finish.

    Parameters
    ----------
    step : callable
        ``step(table) -> piece``: the work on one table of articles (the whole
        pandas table, or one Dask partition with its index renumbered from 0).
    combine : callable or None, default None
        ``combine([piece, ...]) -> piece``, associative, for pieces of several
        partitions (added counts, say). ``None`` concatenates table pieces in
        partition order (:func:`concat`), which is exact for any step whose
        rows for an article depend on that article alone.
    finish : callable or None, default None
        ``finish(piece) -> result`` on the combined piece (rates, ranking,
        statistics); ``None`` returns the piece.
    columns : sequence of str or None, default None
        The columns the step reads. A Dask table reads only these (those
        present) from disk; a pandas table is passed whole.
    stories : bool, default False
        The step needs story fields found over the whole table (one copy per
        story): on Dask, stories are grouped across partitions first when the
        table has no ``is_duplicate`` column.

    Examples
    --------
    >>> plan = Plan(step=len, combine=sum, columns=["outlet"])
    >>> run(plan, pd.DataFrame({"outlet": ["a", "b", "a"]}))
    3
    """

    step: Callable[[pd.DataFrame], Any]
    combine: Callable[[list], Any] | None = None
    finish: Callable[[Any], Any] | None = None
    columns: Sequence[str] | None = None
    stories: bool = False


#: Corpus folders of Dask tables by expression name (a Dask table keeps no ``attrs``).
_FOLDERS: dict[str, str] = {}


def corpus_folder(table: Any) -> str | None:
    """
    Return the folder of the corpus a table was read from (where its caches live), or None.

    A pandas table carries it in ``attrs["corpus"]`` (:func:`analysis.open_corpus`
    sets it; selections, groups and added columns keep it); a Dask table
    opened, selected or scored by the toolkit is remembered by its name.

    Examples
    --------
    >>> corpus_folder(pd.DataFrame()) is None
    True
    """
    if is_dask(table):
        return _FOLDERS.get(getattr(table, "_name", ""))
    return getattr(table, "attrs", {}).get("corpus")


def remember_folder(table: Any, folder: Any) -> Any:
    """Let ``table`` carry the corpus folder ``folder`` (see :func:`corpus_folder`); return it."""
    if folder:
        if is_dask(table):
            _FOLDERS[table._name] = str(folder)
        elif isinstance(table, pd.DataFrame):
            table.attrs["corpus"] = str(folder)
    return table


def cache_folder(cache_dir: Any, table: Any) -> Any:
    """
    The folder a measure caches in: ``cache_dir`` when given, else the table's corpus folder.

    ``cache_dir=False`` turns caching off.

    Examples
    --------
    >>> df = pd.DataFrame().pipe(remember_folder, "data/corpus")
    >>> cache_folder(None, df), cache_folder("elsewhere", df), cache_folder(False, df)
    ('data/corpus', 'elsewhere', None)
    """
    if cache_dir is False:
        return None
    return cache_dir if cache_dir is not None else corpus_folder(table)


def is_dask(obj: object) -> bool:
    """
    Return True for a Dask DataFrame (without importing dask when it is not loaded).

    Examples
    --------
    >>> is_dask(pd.DataFrame())
    False
    """
    if "dask.dataframe" not in sys.modules:
        return False
    import dask.dataframe as dd

    return isinstance(obj, dd.DataFrame)


def run(plan: Plan, table: Any) -> Any:
    """
    Carry out a :class:`Plan` on a pandas or a Dask table; the result is a pandas object.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["a", "b", "a"]})
    >>> run(Plan(step=lambda t: t["outlet"].value_counts(), combine=sum), df).to_dict()
    {'a': 2, 'b': 1}
    """
    if is_dask(table):
        from analysis.engine.dask import run_plan

        return run_plan(plan, table)
    piece = plan.step(table)
    return piece if plan.finish is None else plan.finish(piece)


def each_partition(
    table: Any,
    func: Callable[..., pd.DataFrame],
    /,
    *,
    cache: str | None = None,
    cache_dir: Any = None,
    meta_options: dict | None = None,
    **options: Any,
) -> Any:
    """
    Run a per-article helper on a table: at once on pandas, lazily per partition on Dask.

    Exact for any helper whose rows for an article depend on that article
    alone (sentence scores, quotes). On Dask, with ``cache`` (a name) and
    ``cache_dir``, each partition keeps its own cache under
    ``<cache_dir>/dask_cache/<cache>/`` and the helper gets that folder as its
    ``cache_dir``; on pandas the helper gets ``cache_dir`` itself. On Dask the
    columns of the result are those of the helper run on a one-row sample, with
    ``meta_options`` added to its options.

    Returns
    -------
    DataFrame or dask.dataframe.DataFrame
        Of the kind of ``table``.

    Examples
    --------
    >>> df = pd.DataFrame({"n": [1, 2, 3]})
    >>> each_partition(df, lambda t, k: t.assign(m=t["n"] * k), k=2)["m"].tolist()
    [2, 4, 6]
    """
    if is_dask(table):
        from analysis.engine.dask import map_rows

        out = map_rows(
            table, func, cache=cache, cache_dir=cache_dir, meta_options=meta_options, **options
        )
        return remember_folder(out, corpus_folder(table))
    if cache is not None:
        options["cache_dir"] = cache_dir
    return func(table, **options)


def gather(
    table: Any,
    columns: Sequence[str | None],
    *,
    keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    stories: bool = False,
) -> pd.DataFrame:
    """
    Return the rows a pandas step needs as one pandas table: the table itself, or gathered from partitions.

    A pandas table comes back unchanged. A Dask table gives only ``columns``
    (those present, ``None`` skipped), concatenated in partition order; with
    ``keep``, each partition first drops the rows the step cannot need (the
    sentences that mention no target, say), so memory grows with what is kept.
    ``keep`` must keep every row the step would use. With ``stories``, stories
    are grouped across partitions first when the table has no ``is_duplicate``.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["a"], "text": ["..."]})
    >>> gather(df, ["outlet"]) is df
    True
    """
    if not is_dask(table):
        return table
    from analysis.engine.dask import gather_rows

    return gather_rows(table, columns, keep=keep, stories=stories)


def row_count(table: Any) -> int:
    """
    Return the number of rows of a pandas or Dask table (known at once for a Dask selection).

    Examples
    --------
    >>> row_count(pd.DataFrame({"n": range(4)}))
    4
    """
    if is_dask(table):
        from analysis.engine.partitions import row_count as dask_rows

        return dask_rows(table)
    return len(table)


def either(pandas_func: Callable[..., Any], dask_func: Callable[..., Any]) -> Callable[..., Any]:
    """
    One function that runs ``pandas_func``, or ``dask_func`` when any argument is a Dask table.

    For the operations whose passes over partitions differ from the work on one
    table (grouping stories, selecting rows across partitions); measures are
    written once as a :class:`Plan` instead.

    Examples
    --------
    >>> both = either(len, lambda table: table.npartitions)
    >>> both(pd.DataFrame({"n": [1, 2]}))
    2
    """
    return _Either(pandas_func, dask_func)


class _Either:
    """A pandas function that hands Dask tables to its Dask form (picklable, unlike a closure)."""

    def __init__(self, func: Callable[..., Any], dask_func: Callable[..., Any]):
        import functools

        functools.update_wrapper(self, func)  # name, docstring, signature of the pandas function
        self.func, self.dask_func = func, dask_func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any(is_dask(a) for a in (*args, *kwargs.values())):
            return self.dask_func(*args, **kwargs)
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.func.__module__}.{self.func.__qualname__} on pandas or Dask>"


def cached_by_article(
    func: Callable[..., pd.DataFrame],
    articles: Any,
    *,
    cache_dir: Any = None,
    name: str,
    **options: Any,
) -> Any:
    """
    Run a per-article helper, reusing the rows cached for articles seen before.

    The per-article cache of the corpus (:func:`analysis.corpus.cache.cached_by_article`)
    on either engine: on Dask each partition keeps its rows under
    ``<cache_dir>/dask_cache/<name>/`` (named after its first article), so a
    rerun processes only new or changed articles; on a cluster the folder must
    be one every worker can write.

    Returns
    -------
    DataFrame or dask.dataframe.DataFrame
        What ``func`` returns, rows in article order; lazy on Dask.

    Examples
    --------
    >>> quotes = cached_by_article(extract_quotes, articles, cache_dir="data/corpus", name="quotes")  # doctest: +SKIP
    """
    from analysis.corpus.cache import check_cache_request

    check_cache_request(articles, name)
    return each_partition(
        articles,
        _cached_part,
        cache=name,
        cache_dir=cache_folder(cache_dir, articles),
        helper=func,
        name=name,
        options=options,
    )


def _cached_part(
    part: pd.DataFrame,
    *,
    helper: Callable[..., pd.DataFrame],
    name: str,
    cache_dir: Any,
    options: dict,
) -> pd.DataFrame:
    from analysis.corpus.cache import cached_by_article as cached

    return cached(helper, part, cache_dir=cache_dir, name=name, **options)
