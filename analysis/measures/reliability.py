"""
Intercoder reliability: how far coders who coded the same units agree.

:func:`reliability` gives, per variable, Krippendorff's alpha at the variable's
level of measurement (computed by the ``krippendorff`` package), a bootstrap
interval for it, the plain percent agreement and how many units and values it
rests on; :func:`disagreements` lists the units coders disagree on, to discuss
and to sharpen the codebook.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.options import renamed
from analysis.readers.coding import LEVELS, Codebook

CODE_COLUMNS = ("unit", "coder", "variable", "value")
RELIABILITY_COLUMNS = [
    "variable",
    "level",
    "alpha",
    "ci_low",
    "ci_high",
    "agreement",
    "n_units",
    "n_pairable",
]


def _check_codes(codes: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CODE_COLUMNS if c not in codes.columns]
    if missing:
        raise ParameterError(
            f"codes: column(s) {missing} missing; expected the [unit, coder, variable, value] "
            "table read_codes returns"
        )
    codes = codes.loc[codes["value"].notna(), list(CODE_COLUMNS)]
    twice = codes.duplicated(["unit", "coder", "variable"])
    if twice.any():
        row = codes[twice].iloc[0]
        raise ParameterError(
            f"codes: coder {row['coder']!r} coded unit {row['unit']!r} twice on {row['variable']!r}"
        )
    return codes


def _domain(values: pd.Series, variable, level: str) -> list[Any]:
    """The ordered values a variable can take: the codebook's, else the values seen."""
    seen = list(pd.unique(values))
    if variable is not None and variable.values:
        allowed = variable.allowed
        extra = [v for v in seen if v not in allowed]
        if extra:
            raise ParameterError(
                f"codes: variable {variable.name!r} holds {extra[0]!r}, not in the codebook"
            )
        if level in ("interval", "ratio"):
            return sorted(allowed)
        return allowed
    if level != "nominal":
        numbers = pd.to_numeric(pd.Series(seen, dtype=object), errors="coerce")
        if numbers.isna().any():
            bad = seen[int(np.flatnonzero(numbers.isna().to_numpy())[0])]
            raise ParameterError(
                f"codes: {level} alpha needs numbers (or a codebook listing the values in "
                f"order), got {bad!r}"
            )
        return sorted(seen, key=float)
    try:
        return sorted(seen)
    except TypeError:
        return sorted(seen, key=str)


def value_counts(codes: pd.DataFrame, domain: list[Any]) -> np.ndarray:
    """Units x values: how many coders gave each value to each unit (pairable units only)."""
    index = {value: i for i, value in enumerate(domain)}
    units = pd.factorize(codes["unit"])[0]
    columns = codes["value"].map(index).to_numpy(dtype=int)
    counts = np.zeros((units.max() + 1 if len(units) else 0, len(domain)), dtype=float)
    np.add.at(counts, (units, columns), 1)
    return counts[counts.sum(axis=1) >= 2]


def _alpha(counts: np.ndarray, domain: np.ndarray, level: str) -> float:
    import krippendorff

    if len(counts) == 0 or (counts.sum(axis=0) > 0).sum() < 2:
        return float("nan")  # no pairable value, or no variation: alpha is undefined
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(
            krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level)
        )


def _agreement(counts: np.ndarray) -> float:
    """Share of pairs of codes on one unit that are equal, over all pairable units."""
    pairs = (counts.sum(axis=1) * (counts.sum(axis=1) - 1) / 2).sum()
    same = (counts * (counts - 1) / 2).sum()
    return float(same / pairs) if pairs else float("nan")


def _interval(
    counts: np.ndarray, domain: np.ndarray, level: str, *, draws: int, ci: float, seed: int
) -> tuple[float, float]:
    """Percentile bootstrap interval of alpha, resampling pairable units with replacement."""
    if draws <= 0 or len(counts) < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(counts), size=(draws, len(counts)))
    alphas = np.array([_alpha(counts[pick], domain, level) for pick in picks])
    alphas = alphas[np.isfinite(alphas)]
    if len(alphas) == 0:
        return float("nan"), float("nan")
    tail = (1 - ci) / 2
    low, high = np.quantile(alphas, [tail, 1 - tail])
    return float(low), float(high)


@renamed(confidence="ci")
def reliability(
    codes: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    level: str | Mapping[str, str] | None = None,
    draws: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """
    Measure intercoder reliability per variable: Krippendorff's alpha, its interval, agreement.

    Parameters
    ----------
    codes : DataFrame
        Tidy ``[unit, coder, variable, value]`` (see :func:`analysis.read_codes`);
        a missing value is a unit the coder did not code.
    codebook : Codebook or None, default None
        Gives each variable's level and its values in order (an ordinal variable's
        order, an interval variable's numbers). Without it the values seen are
        used, sorted.
    level : str, mapping variable -> str, or None, default None
        ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``; overrides the
        codebook (for every variable, or those named). Without codebook or level,
        nominal.
    draws : int, default 1000
        Bootstrap draws for the interval (0: no interval).
    ci : float, default 0.95
        Coverage of the interval, as in :func:`analysis.validate_measure` and
        :func:`analysis.tone_by` (``confidence=``, its former name, still works
        for one release and warns).
    seed : int, default 0
        Seed of the bootstrap, so the interval is the same on every run.

    Returns
    -------
    DataFrame
        One row per variable, ``[variable, level, alpha, ci_low, ci_high,
        agreement, n_units, n_pairable]``: alpha at the level (1 perfect, 0 no
        better than chance, NaN when the values never vary); the percentile
        bootstrap interval, resampling units; ``agreement``, the share of pairs of
        codes given to one unit that are equal (chance not removed); the units
        coded by two coders or more and the values they hold (units one coder
        coded alone do not count).

    Examples
    --------
    >>> codes = pd.DataFrame({
    ...     "unit": ["a", "a", "b", "b", "c", "c"], "coder": ["x", "y"] * 3,
    ...     "variable": "frame", "value": ["war", "war", "aid", "aid", "war", "aid"]})
    >>> reliability(codes, draws=0)[["variable", "alpha", "agreement", "n_units"]]
      variable     alpha  agreement  n_units
    0    frame  0.444444   0.666667        3
    """
    if not 0 < ci < 1:
        raise ParameterError(f"ci={ci!r}: give a share between 0 and 1, e.g. 0.95")
    codes = _check_codes(codes)
    levels = level if isinstance(level, Mapping) else {}
    rows = []
    names = list(pd.unique(codes["variable"]))
    if codebook is not None:
        names = [n for n in codebook.names if n in set(names)] + [
            n for n in names if n not in codebook.by_name
        ]
    for name in names:
        variable = codebook.by_name.get(name) if codebook is not None else None
        chosen = levels.get(name) or (level if isinstance(level, str) else None)
        chosen = chosen or (variable.level if variable is not None else "nominal")
        if chosen not in LEVELS:
            raise ParameterError(f"level {chosen!r} for {name!r}: use one of {', '.join(LEVELS)}")
        own = codes[codes["variable"] == name]
        domain = _domain(own["value"], variable, chosen)
        counts = value_counts(own, domain)
        numeric = (
            np.arange(len(domain), dtype=float)
            if chosen in ("nominal", "ordinal")
            else np.array(domain, dtype=float)
        )
        low, high = _interval(counts, numeric, chosen, draws=draws, ci=ci, seed=seed)
        rows.append(
            {
                "variable": name,
                "level": chosen,
                "alpha": _alpha(counts, numeric, chosen),
                "ci_low": low,
                "ci_high": high,
                "agreement": _agreement(counts),
                "n_units": len(counts),
                "n_pairable": int(counts.sum()),
            }
        )
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)


def disagreements(codes: pd.DataFrame) -> pd.DataFrame:
    """
    List the units coders disagree on, with every coder's value side by side.

    Parameters
    ----------
    codes : DataFrame
        Tidy ``[unit, coder, variable, value]`` (see :func:`analysis.read_codes`).

    Returns
    -------
    DataFrame
        One row per variable and unit that two coders or more coded and not all
        alike: ``[variable, unit, n_coders, n_values]`` then one column per coder
        holding the value that coder gave (missing when the coder did not code
        the unit); ordered by variable, most distinct values first.

    Examples
    --------
    >>> codes = pd.DataFrame({
    ...     "unit": ["a", "a", "b", "b"], "coder": ["x", "y"] * 2,
    ...     "variable": "frame", "value": ["war", "war", "war", "aid"]})
    >>> disagreements(codes)
      variable unit  n_coders  n_values    x    y
    0    frame    b         2         2  war  aid
    """
    codes = _check_codes(codes)
    coders = sorted(pd.unique(codes["coder"]), key=str)
    columns = ["variable", "unit", "n_coders", "n_values", *coders]
    if codes.empty:
        return pd.DataFrame(columns=columns)
    keys = ["variable", "unit"]
    spread = codes.groupby(keys, sort=False)["value"].agg(
        n_coders="size", n_values=lambda v: v.astype(str).nunique()
    )
    spread = spread[(spread["n_coders"] >= 2) & (spread["n_values"] >= 2)]
    if spread.empty:
        return pd.DataFrame(columns=columns)
    wide = codes.pivot(index=keys, columns="coder", values="value").reindex(columns=coders)
    out = spread.join(wide).reset_index()
    out = out.sort_values(["variable", "n_values", "unit"], ascending=[True, False, True])
    out.columns.name = None
    return out.reset_index(drop=True)[columns]
