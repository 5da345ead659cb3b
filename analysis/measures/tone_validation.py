"""Tone against the coders: VADER's score of each coded unit compared with the human consensus.

:func:`validate_tone` finds the units people coded in the corpus again (articles,
sentences or quotes), scores each with VADER (an article by the mean of its
sentences, as :func:`analysis.article_sentiment` does; a sentence or quote by
its own compound) and compares the scores with one variable of the codebook by
:func:`analysis.validate_measure`. :func:`agreement_table` sets the long result
out as one row per group, the figures a reader looks for first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.measures import wordtable as wt
from analysis.measures.coding import coded_units
from analysis.measures.reliability import CODE_COLUMNS
from analysis.measures.sentiment import article_sentiment, sentiment_scores
from analysis.measures.validation import validate_measure
from analysis.readers.coding import Codebook

__all__ = ["validate_tone", "agreement_table", "tone_thresholds"]

log = logging.getLogger(__name__)

#: Figures of :func:`agreement_table`, in order: ``(column, measure, mapping)``.
AGREEMENT = (
    ("n_units", "n_units", None),
    ("tied_units", "tied_units", None),
    ("pearson", "pearson", None),
    ("pearson_low", "pearson", "ci_low"),
    ("pearson_high", "pearson", "ci_high"),
    ("spearman", "spearman", None),
    ("macro_f1", "macro_f1", ("given", "default", "classes")),
    ("macro_f1_best", "macro_f1", ("best",)),
    ("accuracy", "accuracy", ("given", "default", "classes")),
    ("alpha", "alpha", None),
    ("alpha_humans", "alpha_humans", None),
)


def tone_thresholds(classes: Sequence) -> list[float] | None:
    """
    Return the cuts of VADER's compound (-1 to 1) into ``classes`` tone classes.

    Two or three classes keep VADER's own cuts (``None``: ``0``, or ``-0.05`` and
    ``0.05``); more classes cut -1..1 into equal widths.

    Examples
    --------
    >>> tone_thresholds([1, 2, 3, 4, 5])
    [-0.6, -0.2, 0.2, 0.6]
    >>> tone_thresholds(["negative", "neutral", "positive"]) is None
    True
    """
    k = len(classes)
    if k <= 3:
        return None
    return [round(float(c), 6) for c in np.linspace(-1, 1, k + 1)[1:-1]]


def _unit_scores(articles, found: pd.DataFrame, method: str) -> pd.Series:
    """VADER per unit: the mean sentence compound of an article, the compound of a part."""
    whole = found["unit"] == found["article_id"]
    scores = pd.Series(np.nan, index=found.index)
    if whole.any():
        ids = set(found.loc[whole, "article_id"])
        chosen = articles[articles["article_id"].astype(str).isin(ids)]
        if not isinstance(chosen, pd.DataFrame):  # a Dask table: the few articles coded
            chosen = chosen.compute()
        chosen.attrs = dict(getattr(articles, "attrs", {}) or {})
        tone = article_sentiment(chosen, method=method, english_only=False)
        by_id = tone.set_index(tone["article_id"].astype(str))["compound"]
        scores[whole] = found.loc[whole, "article_id"].map(by_id).to_numpy()
    if (~whole).any():
        parts = found.loc[~whole, "text"]
        scores[~whole] = sentiment_scores(parts, method=method)["compound"].to_numpy()
    return scores


def validate_tone(
    articles,
    codes: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    variable: str = "tone",
    by: str | Sequence[str] | None = None,
    method: str = "vader",
    thresholds: Sequence[float] | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """
    Compare VADER's tone of every coded unit with the coders' answers to a tone variable.

    Parameters
    ----------
    articles : DataFrame
        The corpus the units were drawn from (pandas or Dask).
    codes : DataFrame
        Tidy ``[unit, coder, variable, value]`` from :func:`analysis.read_codes`.
    codebook : Codebook, optional
        Gives the variable's level and its classes in order; without it the
        codes are read as numbers (interval) when they are, else as ordinal
        classes.
    variable : str, default "tone"
        The codebook variable holding the coders' tone.
    by : str, sequence of str or None
        ``"outlet"`` (or ``"article_id"``) for one comparison per group.
    method : {"vader", "nltk"}, default "vader"
        Which VADER scores the units (see :func:`analysis.sentiment_scores`).
    thresholds : sequence of float, optional
        Cuts of the compound into the classes, lowest first; default
        :func:`tone_thresholds` of the variable's classes.
    ci : float, default 0.95
        Coverage of the correlation intervals.

    Returns
    -------
    DataFrame
        The table of :func:`analysis.validate_measure` (``[*by, measure,
        mapping, class, predicted, value, ci_low, ci_high, n]``), with ``attrs``
        ``variable``, ``method`` and ``missing`` (coded units the corpus does
        not hold, left out).

    Raises
    ------
    ParameterError
        The codes hold no answer to ``variable`` (the variables they hold are
        named), or none of the coded units is in the corpus.
    """
    missing_columns = [c for c in CODE_COLUMNS if c not in codes.columns]
    if missing_columns:
        raise ParameterError(f"codes: column(s) {missing_columns} missing; use analysis.read_codes")
    human = codes[codes["variable"] == variable]
    human = human[human["value"].notna()]
    if human.empty:
        held = sorted(map(str, codes["variable"].dropna().unique()))
        raise ParameterError(
            f"variable={variable!r}: no code of it in the sheets; they hold {held or 'no codes'}"
        )
    spec = codebook.by_name.get(variable) if codebook is not None else None
    if spec is not None:
        level, classes = (
            spec.level,
            (spec.allowed if spec.level in ("nominal", "ordinal") else None),
        )
    else:
        numeric = pd.to_numeric(human["value"], errors="coerce").notna().all()
        level, classes = ("interval", None) if numeric else ("ordinal", None)
    if level == "ratio":
        level = "interval"
    if level in ("interval",):
        human = human.assign(value=pd.to_numeric(human["value"]))
    if thresholds is None and classes is not None:
        thresholds = tone_thresholds(classes)
    found = coded_units(articles, human["unit"].astype(str).unique())
    if found.empty:
        example = str(human["unit"].iloc[0])
        raise ParameterError(
            f"codes: none of the {human['unit'].nunique()} coded units is in the corpus "
            f"(e.g. {example!r}); were the sheets drawn from another corpus?"
        )
    if found.attrs["missing"]:
        log.warning(
            "%d coded unit(s) are not in the corpus and are left out, e.g. %s",
            len(found.attrs["missing"]),
            found.attrs["missing"][0],
        )
    keys = wt.as_list(by)
    for key in keys:
        if key not in found.columns:
            raise ParameterError(f"by={key!r}: use outlet or article_id")
    machine = found.assign(value=_unit_scores(articles, found, method))
    machine = machine[machine["value"].notna()]
    human = human[human["unit"].astype(str).isin(set(machine["unit"]))]
    out = validate_measure(
        machine[["unit", *keys, "value"]],
        human.assign(unit=human["unit"].astype(str))[["unit", "coder", "value"]],
        level=level,
        by=keys or None,
        thresholds=thresholds,
        classes=classes,
        ci=ci,
    )
    out.attrs.update(variable=variable, method=method, missing=found.attrs["missing"])
    return out


def agreement_table(table: pd.DataFrame) -> pd.DataFrame:
    """
    Set out a validation as one row per group: units, correlations, macro F1, alpha.

    Parameters
    ----------
    table : DataFrame
        From :func:`analysis.validate_measure` or :func:`validate_tone`.

    Returns
    -------
    DataFrame
        ``[*by, n_units, tied_units, pearson, pearson_low, pearson_high,
        spearman, macro_f1, macro_f1_best, accuracy, alpha, alpha_humans]``:
        macro F1 and accuracy at the classes given or the default cuts,
        ``macro_f1_best`` at the best cuts found on these units (optimistic);
        a figure the table does not hold is left missing.

    Examples
    --------
    >>> machine = pd.DataFrame({"unit": [1, 2, 3, 4, 5], "value": [-0.6, -0.1, 0.0, 0.3, 0.8]})
    >>> human = pd.DataFrame({"unit": [1, 2, 3, 4, 5], "value": [-0.8, -0.2, 0.1, 0.05, 0.6]})
    >>> agreement_table(validate_measure(machine, human))[["n_units", "pearson", "spearman"]].round(2)
       n_units  pearson  spearman
    0        5     0.96       0.9
    """
    if "measure" not in table.columns:
        raise ParameterError("table: expected the table of validate_measure (measure, value, ...)")
    keys = list(table.columns[: list(table.columns).index("measure")])
    groups = table.drop_duplicates(keys)[keys] if keys else pd.DataFrame(index=[0])
    rows = []
    for _, group in groups.iterrows():
        part = table
        for key in keys:
            part = part[part[key] == group[key]]
        row = {key: group[key] for key in keys}
        for column, measure, how in AGREEMENT:
            hits = part[part["measure"] == measure]
            field = how if isinstance(how, str) else "value"
            if isinstance(how, tuple):
                for mapping in how:
                    if (hits["mapping"] == mapping).any():
                        hits = hits[hits["mapping"] == mapping]
                        break
                else:
                    hits = hits.iloc[:0]
            row[column] = float(hits[field].iloc[0]) if len(hits) else np.nan
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, *(c for c, _, _ in AGREEMENT)])
    return out.astype({"n_units": "Int64", "tied_units": "Int64"})
