"""analysis.measures.vader reproduces vaderSentiment 3.3.2 and NLTK's VADER exactly.

Hand-written sentences aim at each rule and quirk; generated sentences mix the
words the rules look at; the slow test checks every sentence of the Ukraine
corpus and of the seed against both references.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.measures.vader import (
    BOOSTERS_NLTK,
    BOOSTERS_VADER,
    NEGATE,
    Vader,
    get_analyzer,
    read_lexicon,
    score_texts,
)

KEYS = ("neg", "neu", "pos", "compound")


@pytest.fixture(scope="module")
def refs():
    """The two reference analyzers, keyed by engine name."""
    from nltk.sentiment.vader import SentimentIntensityAnalyzer as NltkSIA
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as VaderSIA

    from analysis.text.nlp import ensure_nltk_data

    ensure_nltk_data()
    return {"vader": VaderSIA(), "nltk": NltkSIA()}


def _ref_tuple(ref, text):
    d = ref.polarity_scores(text)
    return tuple(d[k] for k in KEYS)


def _max_diff(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


QUIRKS = [
    "",
    "   ",
    "I",
    "a good",
    "Good.",
    "no problem",
    "There is no problem at all.",
    "No, it is not good.",
    "no good or bad",
    "no fear nor hate",
    "It is hardly a success.",
    "hardly good",
    "The food was good, but the service was horrible.",
    "Good good good but bad bad",
    "good, great, good but great good",
    "He was happy but sad but happy",
    "But it was great.",
    "It was great but",
    "The book was only kind of good.",
    "kind of",
    "It was sort of good and just enough fun.",
    "At least it isn't a horrible book.",
    "Roger Dodger is one of the least compelling variations.",
    "at the very least compelling",
    "least good",
    "Sentiment analysis has never been this good!",
    "Never so good, never this bad",
    "Without a doubt, an excellent idea.",
    "without doubt excellent",
    "With VADER, sentiment analysis is the shit!",
    "The Shit is the bomb",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Waiting at the bus stop",
    "yeah right, a kiss of death",
    "a cake to die for and a beating heart",
    "it does not cut the mustard, living hand to mouth",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "ALL CAPS ARE GOOD",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "©2022 Reuters. Great ©news",
    "Not bad at all",
    "What?? Really??? Good????",
    "Wow!!!!!! great",
    '"Good," he said. (Bad) ...great! "terrible."',
    "'good' -bad- !!great ?!?wonderful ,nice",
    "The major offensive was a total disaster and an extreme tragedy.",
    "a slight improvement, an occasional success, utter failure",
    "Ukraine's forces won't surrender; they didn't, they couldn't.",
    "good good not good not good",
    "Good GOOD good",
    "private \ue000 use \ue000 token good",
    "tab\tseparated\nnew line good\u00a0nbsp",
]


@pytest.mark.parametrize("engine", ["vader", "nltk"])
@pytest.mark.parametrize("text", QUIRKS)
def test_hand_written_cases_match_reference(refs, engine, text):
    ours = Vader(engine).score(text)
    assert _max_diff(ours, _ref_tuple(refs[engine], text)) <= 1e-9


@pytest.mark.parametrize("engine", ["vader", "nltk"])
def test_batch_equals_one_by_one(refs, engine):
    batch = get_analyzer(engine).score_many(QUIRKS, memoize=False)
    assert [tuple(r) for r in batch] == [Vader(engine).score(t) for t in QUIRKS]
    assert all(_max_diff(b, _ref_tuple(refs[engine], t)) <= 1e-9 for b, t in zip(batch, QUIRKS))


# Words the rules look at, plus ordinary lexicon words and punctuation.
_RULE_WORDS = (
    sorted(NEGATE)[:20]
    + sorted(BOOSTERS_VADER)[:30]
    + """no not never so this without doubt least at very but kind of sort just enough or nor
    the shit bomb bad ass badass bus stop yeah right kiss death to die for beating heart cut
    mustard hand mouth good great terrible horrible happy sad war peace killed hope fear
    GOOD BAD VERY NOT But The Shit Kind Of""".split()
)
_PUNCT = ["", ",", ".", "!", "?", "!!", "?!?", '"', "'", "...", ")", "(", ":)", "-"]
_token = st.builds(
    lambda pre, word, post: pre + word + post,
    st.sampled_from(["", "", "", '"', "(", "-", "!!"]),
    st.sampled_from(_RULE_WORDS + ["a", "I", "x"]),
    st.sampled_from(_PUNCT),
)
_sentence = st.lists(_token, min_size=0, max_size=14).map(" ".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_sentence)
def test_generated_sentences_match_both_references(refs, text):
    for engine in ("vader", "nltk"):
        ours = get_analyzer(engine).score(text)
        assert _max_diff(ours, _ref_tuple(refs[engine], text)) <= 1e-9, (engine, text)


def test_constants_and_lexicon_match_references(refs):
    from nltk.sentiment.vader import VaderConstants
    from vaderSentiment import vaderSentiment as vs

    assert NEGATE == set(vs.NEGATE) == VaderConstants.NEGATE
    assert BOOSTERS_VADER == vs.BOOSTER_DICT
    assert BOOSTERS_NLTK == VaderConstants.BOOSTER_DICT
    lexicon = read_lexicon()
    assert lexicon == refs["vader"].lexicon == refs["nltk"].lexicon
    assert len(lexicon) > 7000


def test_score_texts_memoizes_and_keeps_order():
    texts = ["Good.", "Bad.", "Good.", ""]
    out = score_texts(texts, n_jobs=1)
    assert out[0] == out[2] and out[0] != out[1]
    assert out[3] == (0.0, 0.0, 0.0, 0.0)


def test_unknown_engine_is_a_parameter_error():
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="engine"):
        Vader("textblob")
    with pytest.raises(ParameterError, match="n_jobs"):
        score_texts(["x"], n_jobs=0)


@pytest.mark.slow
def test_processes_give_the_same_scores():
    texts = [
        f"Sentence {k} was {'good' if k % 3 else 'not bad'} but {'sad' * (k % 2)}."
        for k in range(3000)
    ]
    assert score_texts(texts, n_jobs=2) == score_texts(texts, n_jobs=1)


# -- exactness on real corpora ---------------------------------------------------


def _reference_chunk(engine: str, texts: list[str]) -> list[tuple]:
    if engine == "vader":
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        ref = SentimentIntensityAnalyzer()
    else:
        from nltk.sentiment.vader import SentimentIntensityAnalyzer

        from analysis.text.nlp import ensure_nltk_data

        ensure_nltk_data()
        ref = SentimentIntensityAnalyzer()
    return [_ref_tuple(ref, t) for t in texts]


def _reference_parallel(engine: str, texts: list[str], workers: int = 2) -> list[tuple]:
    size = -(-len(texts) // workers)
    chunks = [texts[k : k + size] for k in range(0, len(texts), size)]
    with ProcessPoolExecutor(len(chunks), mp_context=mp.get_context("fork")) as pool:
        return [
            r for part in pool.map(_reference_chunk, [engine] * len(chunks), chunks) for r in part
        ]


def _distinct_sentences(texts) -> list[str]:
    from analysis.text.nlp import split_sentences

    seen: dict[str, None] = {}
    for t in texts:
        if isinstance(t, str):
            seen.update(dict.fromkeys(split_sentences(t)))
    return list(seen)


@pytest.fixture(scope="module")
def corpus_sentences(ukraine_articles, seed_path):
    """Distinct sentences of the Ukraine corpus (texts and titles) and of the seed."""
    texts = list(ukraine_articles["text"]) + list(ukraine_articles["title"])
    texts.append(seed_path.read_text(encoding="utf-8"))
    return _distinct_sentences(texts)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["vader", "nltk"])
def test_exact_on_every_sentence_of_ukraine_corpus_and_seed(corpus_sentences, engine):
    sentences = corpus_sentences
    assert len(sentences) > 90_000
    ours = get_analyzer(engine).score_many(sentences)
    theirs = _reference_parallel(engine, sentences)
    diffs = [_max_diff(a, b) for a, b in zip(ours, theirs)]
    worst = max(range(len(diffs)), key=diffs.__getitem__)
    assert diffs[worst] <= 1e-9, (engine, sentences[worst], ours[worst], theirs[worst])


@settings(max_examples=300, deadline=None)
@given(
    xs=st.lists(
        st.one_of(st.floats(-1, 1), st.integers(-20000, 20000).map(lambda k: k / 20000)),
        min_size=1,
        max_size=50,
    )
)
def test_fast_rounding_equals_round(xs):
    import numpy as np

    from analysis.measures.vader import _round_to

    arr = np.asarray(xs + [0.0625, -0.0625, 0.0005, 0.00025, 0.00015])
    assert _round_to(arr, 3).tolist() == [round(x, 3) for x in arr.tolist()]
    assert _round_to(arr, 4).tolist() == [round(x, 4) for x in arr.tolist()]
