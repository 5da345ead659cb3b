"""Validation: how far an automated measure agrees with human codes of the same units.

``validate_measure(machine, human)`` compares two tables keyed by ``unit`` (a
sentence, a headline, an article): the machine's ``value`` (a VADER compound,
a dictionary tone, a class) and the humans' ``value`` (one coder, or several
in a ``coder`` column). What it reports depends on the level of measurement:

- **Scores** (both sides numeric, any level but nominal): Pearson's and
  Spearman's correlation with 95% intervals by Fisher's z transformation
  (standard error ``1/sqrt(n-3)`` for Pearson, ``sqrt(1.06/(n-3))`` for
  Spearman, after Fieller, Hartley & Pearson 1957).
- **Classes** (``level="nominal"`` or ``"ordinal"``): precision, recall, F1 and
  support per class, macro F1, accuracy and the confusion table (human class
  by machine class). Machine scores are mapped to classes with ``thresholds``
  (default: VADER's, a compound <= -0.05 is negative, >= 0.05 positive);
  a search for the thresholds that maximise macro F1 on these very units is
  reported apart (``mapping="best"``): it shows what a tuned cut could reach
  and is optimistic on the units it was fitted on.
- **Krippendorff's alpha** between the machine, taken as one more coder, and
  every human coder (``krippendorff`` package), at the level given; with two
  or more human coders also the humans' alpha alone, the ceiling a machine can
  be held to. Interval alpha compares raw values: put both on one scale.

Several coders are reduced to a consensus per unit: the mean for interval and
ratio codes, the majority for nominal and ordinal ones; a unit whose coders tie
is left out of the comparisons and counted in ``tied_units``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.engine import gather, is_dask
from analysis.errors import ParameterError, SchemaError
from analysis.measures import wordtable as wt

__all__ = ["validate_measure", "validation_note", "VADER_THRESHOLDS", "COLUMNS"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS = ("nominal", "ordinal", "interval", "ratio")

#: VADER's authors' cuts: compound <= -0.05 negative, >= 0.05 positive.
VADER_THRESHOLDS = (-0.05, 0.05)
#: Columns of the result, after the ``by`` columns.
COLUMNS = ["measure", "mapping", "class", "predicted", "value", "ci_low", "ci_high", "n"]
#: Class names put in this order when the human codes use them.
NAMED_ORDER = ("negative", "neutral", "positive")
#: Quantiles of the machine scores tried as cuts in the search for the best thresholds.
SEARCH_POINTS = 41


def _as_table(table, name: str, by: list[str]) -> pd.DataFrame:
    if is_dask(table):  # coded units are few: gather the columns used
        table = gather(table, ["unit", "value", "coder", *by])
    if isinstance(table, pd.Series):
        table = table.rename("value").rename_axis("unit").reset_index()
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            f"{name}: expected a table with columns unit, value; got {type(table).__name__}"
        )
    for col in ("unit", "value"):
        if col not in table.columns:
            raise SchemaError(col, f"missing from the {name} table (has {list(table.columns)})")
    return table


def _check_unique(table: pd.DataFrame, name: str, keys: list[str]) -> None:
    dup = table.duplicated(keys, keep=False)
    if dup.any():
        first = table.loc[dup, keys].iloc[0].tolist()
        hint = "" if "coder" in keys else "; several coders go in a 'coder' column"
        raise ParameterError(
            f"{name}: {dict(zip(keys, first))} appears {int(dup.sum())} times, "
            f"expected one value per {' and '.join(keys)}{hint}"
        )


def _consensus(human: pd.DataFrame, level: str) -> tuple[pd.Series, int]:
    """One value per unit (mean or majority) and the number of tied units."""
    values = human.dropna(subset=["value"])
    if level in ("interval", "ratio"):
        return values.groupby("unit", sort=False)["value"].mean(), 0
    counts = values.groupby(["unit", "value"], sort=False).size().rename("k").reset_index()
    top = counts.groupby("unit", sort=False)["k"].transform("max")
    best = counts[counts["k"] == top]
    n_best = best.groupby("unit", sort=False)["value"].transform("size")
    tied = best.loc[n_best > 1, "unit"].nunique()
    winners = best[n_best == 1].set_index("unit")["value"]
    return winners, int(tied)


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _fisher(r: float, n: int, se_scale: float, ci: float) -> tuple[float, float]:
    from scipy.stats import norm

    if n <= 3 or not np.isfinite(r):
        return np.nan, np.nan
    z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    half = norm.ppf(0.5 + ci / 2) * np.sqrt(se_scale / (n - 3))
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def _correlations(m: np.ndarray, h: np.ndarray, ci: float) -> list[dict]:
    from scipy.stats import pearsonr, spearmanr

    n = len(m)
    rows = []
    for name, func, scale in (("pearson", pearsonr, 1.0), ("spearman", spearmanr, 1.06)):
        if n < 3 or np.ptp(m) == 0 or np.ptp(h) == 0:
            r = np.nan
        else:
            r = float(func(m, h)[0])
        low, high = _fisher(r, n, scale, ci)
        rows.append(dict(measure=name, mapping="scores", value=r, ci_low=low, ci_high=high, n=n))
    return rows


def _class_order(values: pd.Series, classes: Sequence | None) -> list:
    seen = list(pd.unique(values.dropna()))
    if classes is not None:
        unknown = [v for v in seen if v not in list(classes)]
        if unknown:
            raise ParameterError(f"human: codes {unknown} are not in classes={list(classes)}")
        return list(classes)
    if set(seen) <= set(NAMED_ORDER):
        return [c for c in NAMED_ORDER if c in seen]
    if _numeric(values):
        return sorted(seen)
    raise ParameterError(
        f"human: cannot tell the order of the classes {sorted(map(str, seen))}; "
        "pass classes=[lowest, ..., highest]"
    )


def to_classes(scores: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    """
    Map scores to class numbers ``0..len(cuts)`` with increasing cuts.

    A score at or above a cut is above it, except that with two or more cuts a
    score equal to the lowest cut falls in the lowest class, as in VADER
    (compound <= -0.05 negative, >= 0.05 positive, neutral between).

    Examples
    --------
    >>> to_classes(np.array([-0.5, -0.05, 0.0, 0.05, 0.9]), (-0.05, 0.05)).tolist()
    [0, 0, 1, 2, 2]
    """
    cuts = np.asarray(cuts, dtype=float)
    out = np.searchsorted(cuts, scores, side="right")
    if len(cuts) >= 2:
        out[scores == cuts[0]] = 0
    return out


def _confusion(h: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(h * k + p, minlength=k * k).reshape(k, k)


def _scores_of(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(confusion).astype(float)
    predicted = confusion.sum(axis=0)
    support = confusion.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)
    return precision, recall, f1


def _class_rows(h: np.ndarray, p: np.ndarray, labels: list[str], mapping: str) -> list[dict]:
    k = len(labels)
    confusion = _confusion(h, p, k)
    precision, recall, f1 = _scores_of(confusion)
    n = len(h)
    rows = []
    for i, label in enumerate(labels):
        for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
            rows.append(
                dict(measure=name, mapping=mapping, **{"class": label}, value=values[i], n=n)
            )
        rows.append(
            dict(
                measure="support",
                mapping=mapping,
                **{"class": label},
                value=confusion[i].sum(),
                n=n,
            )
        )
    rows.append(dict(measure="macro_f1", mapping=mapping, value=f1.mean(), n=n))
    rows.append(
        dict(measure="accuracy", mapping=mapping, value=np.trace(confusion) / max(n, 1), n=n)
    )
    for i, j in itertools.product(range(k), range(k)):
        rows.append(
            dict(
                measure="confusion",
                mapping=mapping,
                **{"class": labels[i], "predicted": labels[j]},
                value=confusion[i, j],
                n=n,
            )
        )
    return rows


def _threshold_rows(cuts: Sequence[float], labels: list[str], mapping: str, n: int) -> list[dict]:
    return [
        dict(
            measure="threshold",
            mapping=mapping,
            **{"class": f"{labels[i]}|{labels[i + 1]}"},
            value=c,
            n=n,
        )
        for i, c in enumerate(cuts)
    ]


def best_thresholds(
    scores: np.ndarray, codes: np.ndarray, k: int
) -> tuple[tuple[float, ...], float]:
    """
    Search the cuts of the scores that give the highest macro F1 against class numbers.

    Candidate cuts are the scores' quantiles (``SEARCH_POINTS`` of them); two or
    three classes only. Returns the cuts and their macro F1.
    """
    if k not in (2, 3) or not len(scores):
        return (), np.nan
    points = np.unique(np.quantile(scores, np.linspace(0, 1, SEARCH_POINTS)))
    best, best_f1 = (), -1.0
    pairs = ((c,) for c in points) if k == 2 else itertools.combinations_with_replacement(points, 2)
    for cuts in pairs:
        f1 = _scores_of(_confusion(codes, to_classes(scores, cuts), k))[2].mean()
        if f1 > best_f1:
            best, best_f1 = tuple(float(c) for c in cuts), float(f1)
    return best, best_f1


def _alpha(matrix: np.ndarray, level: str) -> float:
    import krippendorff

    usable = np.isfinite(matrix).sum(axis=0) >= 2
    values = matrix[:, usable]
    if values.shape[1] == 0 or len(np.unique(values[np.isfinite(values)])) < 2:
        return np.nan
    return float(krippendorff.alpha(reliability_data=values, level_of_measurement=level))


def _validate_group(machine: pd.DataFrame, human: pd.DataFrame, opts: dict) -> list[dict]:
    level, ci = opts["level"], opts["ci"]
    consensus, tied = _consensus(human, level)
    m = machine.dropna(subset=["value"]).set_index("unit")["value"]
    units = m.index.intersection(consensus.index)
    mv, hv = m.loc[units], consensus.loc[units]
    rows = [dict(measure="n_units", value=len(units), n=len(units))]
    rows.append(dict(measure="tied_units", value=tied, n=len(units)))
    coders = human.pivot(index="coder", columns="unit", values="value")
    coders = coders.reindex(columns=m.index.intersection(coders.columns))
    if level != "nominal" and _numeric(mv) and _numeric(hv):
        rows += _correlations(mv.to_numpy(float), hv.to_numpy(float), ci)
    if level in ("interval", "ratio"):
        rows += _alpha_rows(m, coders, level, "scores")
        return rows
    classes = opts["classes"]
    labels = [str(c) for c in classes]
    index = {c: i for i, c in enumerate(classes)}
    h = hv.map(index).to_numpy(int)
    if level == "ordinal" and _numeric(mv) and not _numeric(hv):  # ranks of ordered classes
        rows += _correlations(mv.to_numpy(float), h.astype(float), ci)
    thresholds = opts["thresholds"]
    if thresholds is None and set(pd.unique(m)) <= set(classes):
        mapping, machine_codes = "classes", m.map(index)
    elif not _numeric(m):
        unknown = sorted(map(str, set(pd.unique(m)) - set(classes)))
        raise ParameterError(
            f"machine: values {unknown[:5]} are neither scores nor classes {labels}"
        )
    else:
        if thresholds is None:
            if len(classes) not in (2, 3):
                raise ParameterError(
                    f"thresholds: give {len(classes) - 1} cuts for classes {labels}"
                )
            thresholds = VADER_THRESHOLDS if len(classes) == 3 else (0.0,)
            mapping = "default"
        else:
            mapping = "given"
        thresholds = tuple(float(t) for t in thresholds)
        if len(thresholds) != len(classes) - 1 or list(thresholds) != sorted(thresholds):
            raise ParameterError(
                f"thresholds={list(thresholds)}: expected {len(classes) - 1} increasing cuts "
                f"for the classes {labels}"
            )
        rows += _threshold_rows(thresholds, labels, mapping, len(units))
        machine_codes = pd.Series(to_classes(m.to_numpy(float), thresholds), index=m.index)
    rows += _class_rows(h, machine_codes.loc[units].to_numpy(int), labels, mapping)
    if mapping != "classes":
        cuts, _ = best_thresholds(mv.to_numpy(float), h, len(classes))
        if cuts:
            rows += _threshold_rows(cuts, labels, "best", len(units))
            rows += _class_rows(h, to_classes(mv.to_numpy(float), cuts), labels, "best")
    coded = coders.apply(lambda col: col.map(index)).astype(float)
    rows += _alpha_rows(machine_codes.astype(float), coded, level, mapping)
    return rows


def _alpha_rows(machine: pd.Series, coders: pd.DataFrame, level: str, mapping: str) -> list[dict]:
    coders = coders.astype(float)
    together = np.vstack([machine.reindex(coders.columns).to_numpy(float), coders.to_numpy()])
    rows = [
        dict(measure="alpha", mapping=mapping, value=_alpha(together, level), n=coders.shape[1])
    ]
    if len(coders) >= 2:
        rows.append(
            dict(measure="alpha_humans", value=_alpha(coders.to_numpy(), level), n=coders.shape[1])
        )
    return rows


def validate_measure(
    machine: pd.DataFrame | pd.Series,
    human: pd.DataFrame | pd.Series,
    *,
    level: Level = "interval",
    by: str | Sequence[str] | None = None,
    thresholds: Sequence[float] | None = None,
    classes: Sequence | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """
    Compare an automated measure with human codes of the same units.

    Parameters
    ----------
    machine : DataFrame or Series
        ``unit, value`` (one row per unit; a Series is read as value by unit;
        a Dask table is gathered): scores (a VADER compound, a dictionary
        tone) or classes.
    human : DataFrame or Series
        ``unit, value`` and, for several coders, ``coder`` (one row per unit
        and coder).
    level : {"interval", "ratio", "ordinal", "nominal"}, default "interval"
        The human codes' level of measurement: numbers (correlations, interval
        alpha) or classes (F1 per class, confusion). Ordinal classes also get
        correlations with machine scores: of their values when they are
        numbers, else of their ranks in ``classes``.
    by : str, sequence of str or None
        Columns (of ``machine``, else of ``human``) to validate group by group,
        e.g. ``"outlet"``.
    thresholds : sequence of float, optional
        Increasing cuts mapping machine scores to the classes, lowest class
        first (see :func:`to_classes`); default VADER's ``(-0.05, 0.05)`` for
        three classes, ``(0,)`` for two.
    classes : sequence, optional
        The human classes from lowest to highest; needed when they are not
        numbers nor ``negative, neutral, positive``.
    ci : float, default 0.95
        Coverage of the correlation intervals.

    Returns
    -------
    DataFrame
        Long table ``[*by, measure, mapping, class, predicted, value, ci_low,
        ci_high, n]``. ``measure`` is one of ``n_units, tied_units, pearson,
        spearman, alpha, alpha_humans, threshold, precision, recall, f1,
        support, macro_f1, accuracy, confusion`` (``class`` is the human class,
        ``predicted`` the machine's); ``mapping`` says how the machine's values
        were read: ``scores``, ``classes``, ``default`` or ``given``
        thresholds, or the ``best`` thresholds found on these units. ``n`` is
        the number of units behind the row.

    Examples
    --------
    >>> machine = pd.DataFrame({"unit": [1, 2, 3, 4], "value": [-0.6, 0.0, 0.3, 0.8]})
    >>> human = pd.DataFrame({"unit": [1, 2, 3, 4], "value": ["negative", "neutral", "neutral", "positive"]})
    >>> v = validate_measure(machine, human, level="nominal")
    >>> print(v.query("measure == 'macro_f1'")[["mapping", "value"]].to_string(index=False))
    mapping    value
    default 0.777778
       best 1.000000
    """
    if level not in LEVELS:
        raise ParameterError(f"level={level!r}; expected one of {list(LEVELS)}")
    if not 0 < ci < 1:
        raise ParameterError(f"ci={ci!r}; expected a share between 0 and 1")
    keys = wt.as_list(by)
    machine, human = _as_table(machine, "machine", keys), _as_table(human, "human", keys)
    if "variable" in human.columns and human["variable"].nunique() > 1:
        names = sorted(map(str, human["variable"].unique()))
        raise ParameterError(
            f"human: holds codes of several variables {names}; pass one, "
            f"e.g. codes[codes['variable'] == {names[0]!r}]"
        )
    if "coder" not in human.columns:
        human = human.assign(coder="human")
    _check_unique(machine, "machine", ["unit"])
    _check_unique(human, "human", ["unit", "coder"])
    if level in ("interval", "ratio"):
        for name, table in (("machine", machine), ("human", human)):
            if not _numeric(table["value"]):
                raise ParameterError(
                    f"{name}: level={level!r} needs numbers, got {table['value'].dtype} values; "
                    "use level='nominal' or 'ordinal' for classes"
                )
    if level in ("nominal", "ordinal"):
        classes = _class_order(human["value"], classes)
    opts = dict(level=level, thresholds=thresholds, classes=classes, ci=ci)
    if not keys:
        out = _tidy(_validate_group(machine, human, opts), [], ())
        out.attrs["ci"] = ci
        return out
    for col in keys:
        if col not in machine.columns and col not in human.columns:
            raise ParameterError(f"by={col!r}: no such column in machine or human")
    source = machine if all(c in machine.columns for c in keys) else human
    groups = source.drop_duplicates("unit").set_index("unit")[keys]
    parts = []
    for values, part in groups.groupby(keys, sort=True, dropna=False):
        units = part.index
        sub_m = machine[machine["unit"].isin(units)]
        sub_h = human[human["unit"].isin(units)]
        parts.append(_tidy(_validate_group(sub_m, sub_h, opts), keys, values))
    out = pd.concat(parts, ignore_index=True)
    out.attrs["ci"] = ci
    return out


def _tidy(rows: list[dict], keys: list[str], values: tuple) -> pd.DataFrame:
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    out["mapping"] = out["mapping"].fillna("")
    out["value"] = out["value"].astype(float)
    out["n"] = out["n"].astype("int64")
    for col in ("class", "predicted"):
        out[col] = out[col].astype("string")
    for key, value in reversed(list(zip(keys, values))):
        out.insert(0, key, value)
    return out


def validation_note(table: pd.DataFrame | None) -> str:
    """
    Say in a sentence what a validation found, for a report's method notes (``""`` for None).

    Uses the table's ``attrs`` ``name``, ``saved`` and ``note`` when it was
    loaded with :func:`analysis.load_validation`; groups (``by``) are not
    summarised, only the overall figures.

    Examples
    --------
    >>> machine = pd.DataFrame({"unit": [1, 2, 3, 4, 5], "value": [-0.6, -0.1, 0.0, 0.3, 0.8]})
    >>> human = pd.DataFrame({"unit": [1, 2, 3, 4, 5], "value": [-0.8, -0.2, 0.1, 0.05, 0.6]})
    >>> validation_note(validate_measure(machine, human))
    "Validated against human codes of 5 units: Pearson r = 0.96 (95% CI 0.54 to 1.00), Spearman rho = 0.90, Krippendorff's alpha with the machine as a coder = 0.93."
    """
    if table is None or not len(table) or "measure" not in table.columns:
        return ""

    def first(measure: str, mapping: str | None = None):
        rows = table[table["measure"] == measure]
        if mapping is not None:
            rows = rows[rows["mapping"] == mapping]
        return rows.iloc[0] if len(rows) else None

    attrs = getattr(table, "attrs", {}) or {}
    keys = list(table.columns[: list(table.columns).index("measure")])
    n = first("n_units")
    about = [str(attrs["note"])] if attrs.get("note") else []
    if attrs.get("saved"):
        about.append(f"saved {str(attrs['saved'])[:10]}")
    about_text = f" ({', '.join(about)})" if about else ""
    parts = []
    for measure, symbol in (("pearson", "Pearson r"), ("spearman", "Spearman rho")):
        row = first(measure)
        if row is not None and np.isfinite(row["value"]):
            text = f"{symbol} = {row['value']:.2f}"
            if measure == "pearson" and np.isfinite(row["ci_low"]):
                level = attrs.get("ci", 0.95)
                text += f" ({level:.0%} CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"
            parts.append(text)
    for mapping in ("classes", "given", "default"):
        row = first("macro_f1", mapping)
        if row is not None:
            parts.append(f"macro F1 = {row['value']:.2f}")
            break
    row = first("alpha")
    if (
        row is not None
        and np.isfinite(row["value"])
        and len(table[table["measure"] == "alpha"]) == 1
    ):
        parts.append(f"Krippendorff's alpha with the machine as a coder = {row['value']:.2f}")
    if keys:
        groups = len(table.drop_duplicates(keys))
        return (
            f"Validated against human codes{about_text}, per {', '.join(keys)} ({groups} groups): "
            "see the validation table."
        )
    units = f" of {int(n['value']):,} units" if n is not None else ""
    figures = ", ".join(parts) or "no figure could be computed"
    return f"Validated against human codes{units}{about_text}: {figures}."
