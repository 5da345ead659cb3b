"""Work on the partitions of a Dask table: map, fold in a tree, concatenate in order, count rows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.engine import concat
from analysis.errors import ParameterError

if TYPE_CHECKING:  # dask is imported lazily: ``import analysis`` stays cheap
    import dask.dataframe as dd

log = logging.getLogger(__name__)


def partitions(ddf: dd.DataFrame) -> list:
    """One delayed pandas DataFrame per partition, in row order."""
    return list(ddf.to_delayed(optimize_graph=True))


def tree_reduce(parts: list, combine: Callable[[list], Any], *, split_every: int = 8):
    """Combine delayed pieces ``split_every`` at a time until one is left (a delayed object)."""
    from dask import delayed

    if not parts:
        raise ParameterError("the corpus has no partitions")
    level = list(parts)
    while len(level) > 1:
        level = [
            delayed(combine, pure=True)(level[i : i + split_every])
            for i in range(0, len(level), split_every)
        ]
    return level[0]


def map_concat(
    ddf: dd.DataFrame, func: Callable[..., pd.DataFrame], /, **options: Any
) -> pd.DataFrame:
    """
    Run a pandas helper on every partition and concatenate the results in row order.

    Exact for any helper whose output for an article depends on that article
    alone (KWIC hits, quotes, sentence scores): the concatenation equals the
    helper run on the whole table, index renumbered from 0.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Articles table.
    func : callable
        ``func(articles, **options) -> DataFrame``.
    **options
        Passed to ``func``.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2)
    >>> map_concat(ddf, lambda df: df[df["n"] % 2 == 0])["n"].tolist()
    [0, 2, 4]
    """
    import dask
    from dask import delayed

    parts = [delayed(_call_on_part, pure=True)(func, part, options) for part in partitions(ddf)]
    results = dask.compute(*parts)
    return concat(results)


def _call_on_part(
    func: Callable[..., pd.DataFrame], part: pd.DataFrame, options: dict
) -> pd.DataFrame:
    return func(part.reset_index(drop=True), **options)


#: Rows of Dask tables already counted, by expression name: a selection knows its
#: size without reading the corpus again.
ROW_COUNTS: dict[str, int] = {}


def row_count(articles: dd.DataFrame) -> int:
    """
    Return the number of rows of a Dask table (known at once for a selection).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> row_count(dd.from_pandas(pd.DataFrame({"n": range(5)}), npartitions=2))
    5
    """
    known = ROW_COUNTS.get(getattr(articles, "_name", None))
    return int(len(articles)) if known is None else known


def present(table: Any, names: Iterable[str | None]) -> list[str]:
    """The names that are columns of ``table``, each once, in order (``None`` skipped)."""
    return [c for c in dict.fromkeys(n for n in names if n) if c in table.columns]


def collect(table: dd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """
    Compute a few columns of a Dask table as one pandas table, rows in order.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"a": [1, 2, 3], "b": list("xyz")}), npartitions=2)
    >>> collect(ddf, ["a"])["a"].tolist()
    [1, 2, 3]
    """
    return map_concat(table[list(dict.fromkeys(columns))], _identity)


def _identity(part: pd.DataFrame) -> pd.DataFrame:
    return part


def fold(
    table: dd.DataFrame,
    step: Callable[..., Any],
    combine: Callable[[list], Any],
    /,
    **options: Any,
) -> Any:
    """``step(part, **options)`` on every partition, folded with ``combine`` (a list -> one piece)."""
    from dask import delayed

    parts = [delayed(_call_on_part, pure=True)(step, p, options) for p in partitions(table)]
    return tree_reduce(parts, combine).compute()
