"""validate_measure on constructed data with known answers; saving validations with a corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (
    load_validation,
    save_validation,
    validate_measure,
    validation_note,
    validations,
)
from analysis.errors import InputError, ParameterError, SchemaError


def pick(table, measure, mapping=None, cls=None, predicted=None):
    rows = table[table["measure"] == measure]
    if mapping is not None:
        rows = rows[rows["mapping"] == mapping]
    if cls is not None:
        rows = rows[rows["class"] == cls]
    if predicted is not None:
        rows = rows[rows["predicted"] == predicted]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def units(values, **extra):
    return pd.DataFrame({"unit": range(len(values)), "value": values, **extra})


def test_perfect_agreement_on_scores():
    scores = [-0.9, -0.2, 0.0, 0.4, 0.7, 0.95]
    out = validate_measure(units(scores), units(scores))
    for measure in ("pearson", "spearman", "alpha"):
        assert pick(out, measure)["value"] == pytest.approx(1.0)
    assert pick(out, "n_units")["value"] == 6
    assert list(out.columns) == [
        "measure", "mapping", "class", "predicted", "value", "ci_low", "ci_high", "n"
    ]  # fmt: skip


def test_series_and_dask_tables_are_read_alike():
    import dask.dataframe as dd

    scores = units([-0.9, -0.2, 0.0, 0.4, 0.7, 0.95])
    codes = units([-2.0, -1.0, 0.5, 0.0, 1.0, 2.0], outlet=list("AABBCC"))
    expected = validate_measure(scores, codes)
    series = validate_measure(scores.set_index("unit")["value"], codes.set_index("unit")["value"])
    pd.testing.assert_frame_equal(series, expected)
    lazy = validate_measure(
        dd.from_pandas(scores, npartitions=2), dd.from_pandas(codes, npartitions=2)
    )
    pd.testing.assert_frame_equal(lazy, expected)
    per = validate_measure(scores, dd.from_pandas(codes, npartitions=2), by="outlet")
    assert per["outlet"].drop_duplicates().tolist() == ["A", "B", "C"]


def test_fisher_intervals():
    rng = np.random.default_rng(1)
    human = rng.normal(size=40)
    machine = human + rng.normal(size=40)
    out = validate_measure(units(machine), units(human))
    row = pick(out, "pearson")
    r = np.corrcoef(machine, human)[0, 1]
    half = 1.959964 / np.sqrt(40 - 3)
    assert row["value"] == pytest.approx(r)
    assert row["ci_low"] == pytest.approx(np.tanh(np.arctanh(r) - half), abs=1e-6)
    assert row["ci_high"] == pytest.approx(np.tanh(np.arctanh(r) + half), abs=1e-6)
    spear = pick(out, "spearman")
    assert spear["ci_high"] - spear["ci_low"] > row["ci_high"] - row["ci_low"] - 0.05


def test_known_confusion_of_classes():
    human = ["neg"] * 4 + ["neu"] * 3 + ["pos"] * 3
    machine = ["neg", "neg", "neg", "neu", "neu", "neu", "pos", "pos", "pos", "neg"]
    out = validate_measure(
        units(machine), units(human), level="nominal", classes=["neg", "neu", "pos"]
    )
    assert pick(out, "confusion", cls="neg", predicted="neg")["value"] == 3
    assert pick(out, "confusion", cls="neg", predicted="neu")["value"] == 1
    assert pick(out, "confusion", cls="pos", predicted="neg")["value"] == 1
    # neg: tp 3 of 4 predicted, support 4; neu: 2 of 3, support 3; pos: 2 of 3, support 3
    assert pick(out, "precision", cls="neg")["value"] == pytest.approx(0.75)
    assert pick(out, "recall", cls="neu")["value"] == pytest.approx(2 / 3)
    assert pick(out, "precision", cls="pos")["value"] == pytest.approx(2 / 3)
    f1 = [0.75, 2 / 3, 2 / 3]
    assert pick(out, "f1", cls="pos")["value"] == pytest.approx(2 / 3)
    assert pick(out, "macro_f1")["value"] == pytest.approx(np.mean(f1))
    assert pick(out, "accuracy")["value"] == pytest.approx(0.7)
    assert pick(out, "support", cls="neg")["value"] == 4
    assert set(out["mapping"]) == {"", "classes"}  # classes are not re-mapped


def test_class_scores_agree_with_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(7)
    human = rng.choice(["negative", "neutral", "positive"], size=300)
    scores = rng.uniform(-1, 1, size=300)
    out = validate_measure(units(scores), units(human), level="nominal")
    predicted = np.where(
        scores <= -0.05, "negative", np.where(scores >= 0.05, "positive", "neutral")
    )
    expected = metrics.f1_score(human, predicted, average="macro", zero_division=0)
    assert pick(out, "macro_f1", mapping="default")["value"] == pytest.approx(expected)
    per_class = metrics.precision_recall_fscore_support(human, predicted, zero_division=0)
    for k, label in enumerate(["negative", "neutral", "positive"]):
        assert pick(out, "recall", "default", label)["value"] == pytest.approx(per_class[1][k])


def test_default_thresholds_follow_vader_and_best_are_reported_apart():
    scores = [-0.5, -0.05, -0.04, 0.04, 0.05, 0.5]
    human = ["negative", "negative", "neutral", "neutral", "positive", "positive"]
    out = validate_measure(units(scores), units(human), level="ordinal")
    assert pick(out, "macro_f1", "default")["value"] == pytest.approx(1.0)  # -0.05 is negative
    assert pick(out, "spearman")["value"] == pytest.approx(
        np.corrcoef(range(6), [0, 0, 1, 1, 2, 2])[0, 1]
    )
    cuts = out[(out["measure"] == "threshold") & (out["mapping"] == "default")]
    assert cuts["value"].tolist() == [-0.05, 0.05]
    assert cuts["class"].tolist() == ["negative|neutral", "neutral|positive"]
    # scores on a scale where VADER's cuts are wrong: the search finds cuts that work
    wide = [-40, -30, -2, 1, 25, 60]
    other = validate_measure(units(wide), units(human), level="ordinal")
    assert pick(other, "macro_f1", "default")["value"] < 0.8
    assert pick(other, "macro_f1", "best")["value"] == pytest.approx(1.0)
    best = other[(other["measure"] == "threshold") & (other["mapping"] == "best")]["value"]
    assert -30 <= best.iloc[0] < -2 and 1 <= best.iloc[1] <= 25
    given = validate_measure(units(wide), units(human), level="ordinal", thresholds=[-10, 10])
    assert pick(given, "macro_f1", "given")["value"] == pytest.approx(1.0)
    # ordinal codes that are numbers also get correlations with the scores
    coded = validate_measure(units(wide), units([-1, -1, 0, 0, 1, 1]), level="ordinal")
    assert pick(coded, "spearman")["value"] == pytest.approx(
        np.corrcoef([0, 1, 2, 3, 4, 5], [0, 0, 1, 1, 2, 2])[0, 1]
    )


def test_consensus_mean_majority_and_ties():
    coders = pd.DataFrame(
        {
            "unit": [1, 1, 1, 2, 2, 2, 3, 3, 4, 4],
            "coder": ["a", "b", "c", "a", "b", "c", "a", "b", "a", "b"],
            "value": ["pos", "pos", "neg", "neg", "neg", "neg", "pos", "neg", "neu", "neu"],
        }
    )
    machine = pd.DataFrame({"unit": [1, 2, 3, 4], "value": ["pos", "neg", "pos", "neg"]})
    out = validate_measure(machine, coders, level="nominal", classes=["neg", "neu", "pos"])
    assert pick(out, "tied_units")["value"] == 1  # unit 3: one pos, one neg
    assert pick(out, "n_units")["value"] == 3
    assert pick(out, "support", cls="pos")["value"] == 1  # unit 1, by two votes to one
    assert pick(out, "confusion", cls="neu", predicted="neg")["value"] == 1
    assert "alpha_humans" in set(out["measure"])
    numbers = coders.assign(value=[1.0, 2.0, 3.0, 0.0, 0.0, 3.0, 5.0, 5.0, 1.0, 1.0])
    scores = pd.DataFrame({"unit": [1, 2, 3, 4], "value": [2.0, 1.0, 5.0, 1.0]})
    agree = validate_measure(scores, numbers)  # means 2, 1, 5, 1: the machine's values
    assert pick(agree, "pearson")["value"] == pytest.approx(1.0)
    assert pick(agree, "tied_units")["value"] == 0


def test_alpha_counts_the_machine_as_one_more_coder():
    import krippendorff

    coders = pd.DataFrame(
        {
            "unit": [1, 2, 3, 4] * 2,
            "coder": ["a"] * 4 + ["b"] * 4,
            "value": [1, 2, 3, 3, 1, 2, 2, 3],
        }
    )
    machine = pd.DataFrame({"unit": [1, 2, 3, 4], "value": [1, 3, 3, 3]})
    out = validate_measure(machine, coders, level="interval")
    data = [[1, 3, 3, 3], [1, 2, 3, 3], [1, 2, 2, 3]]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert pick(out, "alpha")["value"] == pytest.approx(expected)
    humans = krippendorff.alpha(reliability_data=data[1:], level_of_measurement="interval")
    assert pick(out, "alpha_humans")["value"] == pytest.approx(humans)


def test_results_per_outlet():
    machine = pd.DataFrame(
        {
            "unit": list("abcdefgh"),
            "outlet": ["A"] * 4 + ["B"] * 4,
            "value": [-0.5, 0.0, 0.5, 0.9, 0.5, 0.9, -0.5, 0.0],
        }
    )
    human = pd.DataFrame({"unit": list("abcdefgh"), "value": [-1, 0, 1, 2, -1, 0, 1, 2.0]})
    out = validate_measure(machine, human, by="outlet")
    assert list(out.columns[:2]) == ["outlet", "measure"]
    r = out[out["measure"] == "pearson"].set_index("outlet")["value"]
    assert r["A"] == pytest.approx(np.corrcoef([-0.5, 0, 0.5, 0.9], [-1, 0, 1, 2])[0, 1])
    assert r["B"] < 0
    assert out[out["measure"] == "n_units"]["value"].tolist() == [4, 4]


@pytest.mark.parametrize(
    "machine, human, options, error, match",
    [
        (pd.DataFrame({"unit": [1]}), units([1.0]), {}, SchemaError, "value.*machine"),
        (units([1.0, 2.0]).assign(unit=1), units([1.0]), {}, ParameterError, "machine.*2 times"),
        (units([1.0]), units([1.0, 2.0]).assign(unit=0), {}, ParameterError, "coder"),
        (units([1.0]), units([1.0]), {"level": "ratioo"}, ParameterError, "level"),
        (units([1.0]), units(["x"]), {"level": "nominal"}, ParameterError, "classes="),
        (
            units([0.1, 0.2]),
            units([1, 2]),
            {"level": "nominal", "thresholds": [0.5, 0.1]},
            ParameterError,
            "increasing",
        ),  # fmt: skip
        (units(["neg"]), units([1.0]), {}, ParameterError, "machine: level='interval'"),
        (units([0.5]), units(["pos"]), {}, ParameterError, "human: level='interval'"),
        (units([0.1]), units([1.0]), {"by": "outlet"}, ParameterError, "outlet"),
        (
            units([0.1, 0.2]),
            units([1.0, 2.0], variable=["tone", "frame"]),
            {},
            ParameterError,
            "several variables.*'variable'\\] == 'frame'",
        ),  # fmt: skip
    ],
)
def test_bad_input_names_the_problem(machine, human, options, error, match):
    with pytest.raises(error, match=match):
        validate_measure(machine, human, **options)


def test_save_and_load_with_a_corpus(tmp_path):
    first = validate_measure(units([0.1, 0.5, 0.9, 0.2]), units([1.0, 2.0, 3.0, 1.0]))
    second = validate_measure(units([0.3, 0.2, 0.1, 0.0]), units([1.0, 2.0, 3.0, 4.0]))
    assert load_validation(tmp_path) is None
    path = save_validation(first, tmp_path, "vader-sample", note="VADER against coders")
    save_validation(second, tmp_path, "dictionary-sample")
    assert path == tmp_path / "validation" / "vader-sample.parquet"
    files = sorted(p.name for p in (tmp_path / "validation").iterdir())
    assert files == ["dictionary-sample.parquet", "vader-sample.parquet"]  # no temporary file
    latest = load_validation(tmp_path)
    assert latest.attrs["name"] == "dictionary-sample"
    pd.testing.assert_frame_equal(latest, second)
    named = load_validation(tmp_path, "vader-sample")
    assert named.attrs["note"] == "VADER against coders"
    pd.testing.assert_frame_equal(named, first)
    assert validations(tmp_path)["name"].tolist() == ["dictionary-sample", "vader-sample"]
    note = validation_note(named)
    assert note.startswith("Validated against human codes of 4 units (VADER against coders, saved 20")
    assert "): Pearson r = " in note and "95% CI" in note
    assert validation_note(None) == ""
    classes = validate_measure(
        units(["a", "b", "b"], outlet=["X", "X", "Y"]), units(["a", "b", "a"]), level="nominal",
        classes=["a", "b"], by="outlet",
    )  # fmt: skip
    assert "per outlet (2 groups)" in validation_note(classes)
    with pytest.raises(InputError, match="no validation named 'absent'"):
        load_validation(tmp_path, "absent")
    with pytest.raises(ParameterError, match="name="):
        save_validation(first, tmp_path, "../escape")


# Floors on small samples of real corpora (the full figures: docs/validation.md).


@pytest.mark.corpora
@pytest.mark.slow
def test_vader_against_newsmtsc_sample(newsmtsc_dir):
    from benchmarks.validation import newsmtsc_scores, read_newsmtsc, validate_newsmtsc

    units = read_newsmtsc(newsmtsc_dir / "train.jsonl", limit=500)
    scores = newsmtsc_scores(units, dictionaries=False)
    sentence = validate_newsmtsc(units, scores, "sentence")
    article = validate_newsmtsc(units, scores, "article")
    assert pick(sentence, "n_units")["value"] > 550
    assert pick(sentence, "pearson")["value"] > 0.40  # 0.478 measured
    assert pick(sentence, "macro_f1", "default")["value"] > 0.45  # 0.511
    assert pick(sentence, "alpha")["value"] > 0.30  # 0.372
    # the target's own sentence agrees better than the whole article's mean
    assert pick(sentence, "pearson")["value"] > pick(article, "pearson")["value"]


@pytest.mark.corpora
@pytest.mark.slow
def test_vader_and_dictionary_tone_against_semeval_headlines(semeval2007_dir):
    from benchmarks.validation import read_semeval, validate_semeval

    headlines = read_semeval(semeval2007_dir / "AffectiveText.trial", "trial")
    assert len(headlines) == 250 and headlines["text"].notna().all()
    found = validate_semeval(headlines)
    assert pick(found["valence"], "pearson")["value"] > 0.55  # 0.620 measured
    assert pick(found["valence"], "alpha")["value"] > 0.50  # 0.617
    assert pick(found["coarse classes"], "macro_f1", "default")["value"] > 0.42  # 0.492
    assert pick(found["valence: dictionary"], "pearson")["value"] > 0.50  # 0.559
    assert pick(found["valence: dictionary + negation"], "pearson")["value"] > 0.50  # 0.565


def test_humans_alpha_agrees_with_reliability():
    from analysis import reliability

    rng = np.random.default_rng(3)
    truth = rng.integers(1, 6, size=30)
    codes = pd.DataFrame(
        {
            "unit": [f"u{i}" for i in range(30)] * 2,
            "coder": ["ana"] * 30 + ["ben"] * 30,
            "variable": "tone",
            "value": np.concatenate([truth, np.where(rng.random(30) < 0.3, 3, truth)]),
        }
    )
    machine = pd.DataFrame({"unit": [f"u{i}" for i in range(30)], "value": truth + 0.0})
    ours = validate_measure(machine, codes, level="ordinal")
    theirs = reliability(codes, level="ordinal", draws=10)
    assert pick(ours, "alpha_humans")["value"] == pytest.approx(theirs["alpha"].iloc[0])
