"""Intercoder reliability: how often the bootstrap interval of alpha holds the true alpha.

No corpus: two invented coders code units whose true values are spread evenly
over 1..5; each coder, for a share ``noise`` of the units, writes a value drawn at
random instead. The population alpha is measured once on 200,000 units; then
``samples`` samples of ``units`` units each are drawn, and
:func:`analysis.reliability` gives alpha and its 95% interval (``draws`` bootstrap
draws, resampling units) on each. ``coverage`` is the share of intervals that
hold the population alpha (0.95 is the aim), ``bias`` the mean of alpha minus the
population alpha, ``width`` the mean width of the interval, ``seconds`` the time of one call with its bootstrap.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from analysis import reliability

NAME = "reliability"


def coded(n_units: int, noise: float, rng: np.random.Generator) -> pd.DataFrame:
    truth = rng.integers(1, 6, size=n_units)
    rows = []
    for coder in ("a", "b"):
        values = truth.copy()
        stray = rng.random(n_units) < noise
        values[stray] = rng.integers(1, 6, size=int(stray.sum()))
        rows.append(
            pd.DataFrame(
                {"unit": np.arange(n_units), "coder": coder, "variable": "v", "value": values}
            )
        )
    return pd.concat(rows, ignore_index=True)


def run(quick: bool = False) -> list[dict]:
    return measure(samples=40 if quick else 200, draws=300 if quick else 1000)


def measure(*, samples: int, draws: int) -> list[dict]:
    """The rows of :func:`run` for ``samples`` samples and ``draws`` bootstrap draws."""
    rng = np.random.default_rng(2026)
    rows = []
    for level in ("nominal", "interval"):
        for noise in (0.2, 0.5):
            truth = reliability(coded(200_000, noise, rng), level=level, draws=0)["alpha"].iloc[0]
            for units in (30, 100):
                hits, errors, widths, seconds = 0, [], [], []
                for seed in range(samples):
                    t0 = time.perf_counter()
                    out = reliability(
                        coded(units, noise, rng), level=level, draws=draws, seed=seed
                    ).iloc[0]
                    seconds.append(time.perf_counter() - t0)
                    hits += out["ci_low"] <= truth <= out["ci_high"]
                    errors.append(out["alpha"] - truth)
                    widths.append(out["ci_high"] - out["ci_low"])
                rows.append(
                    {
                        "benchmark": NAME,
                        "case": f"{level}, noise {noise:g}, {units} units",
                        "tool": "reliability",
                        "items": samples,
                        "unit": "samples",
                        "seconds": float(np.median(seconds)),
                        "population_alpha": round(float(truth), 3),
                        "coverage": hits / samples,
                        "bias": round(float(np.mean(errors)), 3),
                        "width": round(float(np.mean(widths)), 3),
                        "notes": f"{draws} bootstrap draws",
                    }
                )
    return rows
