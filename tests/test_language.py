"""Language detection and the English-only rule."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from analysis.errors import ParameterError, SchemaError
from analysis.text.language import detect_language, english_only, flag_languages

SENTENCES = {
    "en": "The ceasefire talks in Istanbul ended on Tuesday without an agreement, officials said.",
    "de": "Die Waffenstillstandsgespräche in Istanbul endeten am Dienstag ohne eine Einigung.",
    "fr": "Les pourparlers de cessez-le-feu à Istanbul se sont terminés mardi sans accord.",
    "es": "Las conversaciones de alto el fuego en Estambul terminaron el martes sin acuerdo.",
    "it": "I colloqui per il cessate il fuoco a Istanbul si sono conclusi martedì senza un accordo.",
    "pt": "As negociações de cessar-fogo em Istambul terminaram na terça-feira sem acordo.",
    "pl": "Rozmowy o zawieszeniu broni w Stambule zakończyły się we wtorek bez porozumienia.",
    "ru": "Переговоры о прекращении огня в Стамбуле завершились во вторник без соглашения.",
    "uk": "Переговори про припинення вогню в Стамбулі завершилися у вівторок без угоди.",
    "nl": "De gesprekken over een staakt-het-vuren in Istanbul eindigden dinsdag zonder akkoord.",
}


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_detects_hand_written_sentences(lang):
    assert detect_language([SENTENCES[lang]]) == [lang]


@pytest.mark.parametrize("text", ["", "   ", None, 42, "Photo: AP", "12:30 GMT", "OK"])
def test_too_short_or_empty_gives_none(text):
    assert detect_language([text]) == [None]


def test_order_and_generator_input():
    texts = (SENTENCES[k] for k in ["fr", "en", "ru"])
    assert detect_language(texts) == ["fr", "en", "ru"]


def test_bad_options():
    with pytest.raises(ParameterError, match="min_confidence"):
        detect_language([SENTENCES["en"]], min_confidence=2)
    with pytest.raises(ParameterError, match="one string"):
        detect_language(SENTENCES["en"])
    with pytest.raises(SchemaError, match="text"):
        flag_languages(pd.DataFrame({"title": ["x"]}))


def _articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": ["Talks end", "Gespräche", "Pourparlers", "Gallery", "Переговоры"],
            "text": [SENTENCES["en"], SENTENCES["de"], SENTENCES["fr"], "Photo", ""],
            "language": pd.array([pd.NA, pd.NA, "es", pd.NA, pd.NA], dtype="string"),
        }
    )


def test_flag_languages_fills_missing_and_keeps_declared():
    df = _articles()
    before = df.copy()
    out = flag_languages(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    # a declared language is kept; an empty body falls back to the title (too short here)
    assert out["language"].tolist() == ["en", "de", "es", pd.NA, pd.NA]
    assert flag_languages(df, overwrite=True)["language"].tolist()[2] == "fr"


def test_english_only_excludes_other_languages_and_says_so(caplog, monkeypatch):
    from analysis.text import language

    monkeypatch.setattr(language, "_SAID", set())
    df = _articles().assign(language=pd.NA)
    with caplog.at_level(logging.WARNING, logger="analysis.text.language"):
        kept = english_only(df)
    assert kept["title"].tolist() == ["Talks end", "Gallery", "Переговоры"]
    assert kept.attrs["excluded_languages"] == {"de": 1, "fr": 1}
    assert "excluded 2 of 5" in caplog.text and "de: 1" in caplog.text
    strict = english_only(df, include_unknown=False)
    assert strict["title"].tolist() == ["Talks end"]
    assert strict.attrs["excluded_languages"]["unknown"] == 2


def test_english_only_trusts_the_column_when_not_detecting(caplog):
    df = pd.DataFrame({"text": ["anything", "whatever", "x"], "language": ["en", "ru", None]})
    kept = english_only(df, detect=False)
    assert kept["text"].tolist() == ["anything", "x"]
    # regional codes count as their language
    df2 = pd.DataFrame({"text": ["a", "b"], "language": ["en-GB", "EN_us"]})
    assert len(english_only(df2, detect=False)) == 2


def test_english_only_all_english_logs_info(caplog):
    df = pd.DataFrame({"text": [SENTENCES["en"]] * 2})
    with caplog.at_level(logging.INFO, logger="analysis.text.language"):
        kept = english_only(df)
    assert len(kept) == 2 and kept.attrs["excluded_languages"] == {}
    assert "all 2 articles kept" in caplog.text


@pytest.mark.corpora
def test_ukraine_corpus_is_english(ukraine_dir):
    texts = []
    for path in sorted((ukraine_dir / "data").glob("*.csv")):
        if path.stem == "NYT":
            continue
        texts += pd.read_csv(path)["Text"].dropna().astype(str).head(60).tolist()
    langs = detect_language(texts)
    english = sum(lang == "en" for lang in langs) / len(langs)
    assert len(texts) >= 600
    assert english >= 0.98  # measured: every sampled article is detected as English


@pytest.mark.corpora
def test_batch_detection_equals_py3langid_on_the_real_corpus(ukraine_articles):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = [t for t in ukraine_articles["text"].tolist() if isinstance(t, str)]
    # a mix of lengths and scripts: every body, plus short and upper-case pieces of them
    texts = (
        texts[:3000] + [t[:60] for t in texts[3000:4000]] + [t[:200].upper() for t in texts[:500]]
    )
    texts += list(SENTENCES.values())
    expected = []
    for text in texts:
        sample = text[:1000]
        if sum(map(str.isalpha, sample)) < 20:
            expected.append(None)
            continue
        lang, prob = reference.classify(sample)
        expected.append(lang if prob >= 0.5 else None)
    got = detect_language(texts)
    assert got == expected
    assert len(set(got)) > 3  # several languages (and None) really occur


def test_the_same_exclusion_is_warned_once(caplog, monkeypatch):
    from analysis.text import language

    monkeypatch.setattr(language, "_SAID", set())
    df = _articles().assign(language=pd.NA)
    with caplog.at_level(logging.INFO, logger="analysis.text.language"):
        for _ in range(3):  # as the helpers of one report do
            english_only(df)
        english_only(df.iloc[1:])  # other rows, another message
    levels = [(r.levelname, "of 5" in r.getMessage()) for r in caplog.records]
    assert levels == [("WARNING", True), ("INFO", True), ("INFO", True), ("WARNING", False)]
