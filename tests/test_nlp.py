"""Offline language resources: NLTK data dir, stopwords, sentence splitting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from analysis.text import nlp
from analysis.text.nlp import ensure_nltk_data, sentence_spans, split_sentences, stopwords


@pytest.mark.parametrize(
    "text, expected",
    [
        ("U.S. officials met. They left.", ["U.S. officials met.", "They left."]),
        (
            "He flew to the U.S. on Monday. Then he spoke.",
            ["He flew to the U.S. on Monday.", "Then he spoke."],
        ),
        (
            "The talks involved the U.S. The Kremlin objected.",
            ["The talks involved the U.S. The Kremlin objected."],
        ),
        (
            "Mr. Zelensky spoke. Mrs. Smith and Dr. Jones agreed.",
            ["Mr. Zelensky spoke.", "Mrs. Smith and Dr. Jones agreed."],
        ),
        (
            "Lt. Col. Ivan Petrov and Gen. Mark Milley met.",
            ["Lt. Col. Ivan Petrov and Gen. Mark Milley met."],
        ),
        (
            "The U.N. Security Council met on Jan. 5. It adjourned.",
            ["The U.N. Security Council met on Jan. 5.", "It adjourned."],
        ),
        (
            "George W. Bush spoke in St. Louis. Crowds cheered.",
            ["George W. Bush spoke in St. Louis.", "Crowds cheered."],
        ),
        (
            "KYIV, Ukraine (AP) — Russian forces shelled the city. Residents fled.",
            ["KYIV, Ukraine (AP) — Russian forces shelled the city.", "Residents fled."],
        ),
        (
            "LVIV: Ukraine said it hoped for talks. Russia did not reply.",
            ["LVIV: Ukraine said it hoped for talks.", "Russia did not reply."],
        ),
        (
            '"We will not give up," she said. "Never."',
            ['"We will not give up," she said.', '"Never."'],
        ),
        (
            "The meeting ended at 5 p.m. The delegates left.",
            ["The meeting ended at 5 p.m.", "The delegates left."],
        ),
        (
            "A headline with no stop\nThe first paragraph. A second sentence.",
            ["A headline with no stop", "The first paragraph.", "A second sentence."],
        ),
        (
            # Punkt ends the sentence at "Gen." far from its start: it is joined to the next
            "After a long meeting in the capital with ministers and envoys from many "
            "countries, the report went to Gen. The commander has not replied.",
            [
                "After a long meeting in the capital with ministers and envoys from many "
                "countries, the report went to Gen. The commander has not replied."
            ],
        ),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_split_sentences_news_cases(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Photograph: Handout",
        "  Sign up to First Edition, our free daily newsletter  ",
        "\tRelated: What we know so far\u00a0",
        "“Quoted words” — and a dash, with commas; colons: and (brackets)",
        "Mon 4 Jul 2022 07,00 BST",
        "x",
    ],
)
def test_line_without_sentence_end_is_what_punkt_gives(line):
    """A line without ".", "?" or "!" is one sentence: the span Punkt gives it."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    expected = list(PunktSentenceTokenizer().span_tokenize(line))
    assert sentence_spans(line) == expected == [(0, len(line.rstrip()))]
    text = "A first line. It has two sentences.\n" + line
    offset = text.index("\n") + 1
    assert sentence_spans(text)[2:] == [(offset + a, offset + b) for a, b in expected]


def test_a_text_split_again_gives_the_same_sentences():
    """Punkt's decision for a context met before is reused: the sentences stay the same."""
    texts = [
        "He flew to the U.S. on Monday. Then he spoke. The U.N. met on Jan. 5. It adjourned.",
        "The talks involved the U.S. The Kremlin objected. Then he spoke.",
        "The meeting ended at 5 p.m. The delegates left. It adjourned.",
    ]
    first = [split_sentences(t) for t in texts]
    assert [split_sentences(t) for t in reversed(texts)] == first[::-1]
    assert first[0] == [
        "He flew to the U.S. on Monday.",
        "Then he spoke.",
        "The U.N. met on Jan. 5.",
        "It adjourned.",
    ]


def test_spans_point_into_text():
    text = "First line here.\r\nSecond one, by Mr. Smith. Third!"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "First line here.",
        "Second one, by Mr. Smith.",
        "Third!",
    ]
    assert all(0 <= a < b <= len(text) for a, b in spans)


def test_seed_sentences_offline(offline, seed_path, tmp_path):
    """With no network and an empty HOME, the seed splits correctly."""
    ensure_nltk_data(tmp_path / "nltk")
    text = seed_path.read_text(encoding="utf-8")
    sents = split_sentences(text)
    assert "Reuters was unable to immediately verify the numbers." in sents
    assert (
        "Kremlin spokesperson Dmitry Peskov said talks so far had not yielded any substantial "
        "breakthroughs but that it was important that they continued in person."
    ) in sents
    assert '"We are not trading people, land or sovereignty."' in sents
    # A quote spanning two sentences stays split at its sentence boundary.
    assert '"There is no food for the children, especially the infants.' in sents
    for s in sents:
        assert not s.endswith(("U.S.", "U.N.", "Mr.", "Gen.", "St."))


def test_stopwords_lists():
    sw = stopwords()
    assert {"the", "and", "said", "told", "according", "reuters"} <= sw
    assert "ukraine" not in sw and "war" not in sw
    assert "said" not in stopwords(news=False)
    assert "kyiv" in stopwords(extra=["Kyiv"])
    assert stopwords() == stopwords()  # cached, stable


def test_ensure_nltk_data_idempotent_and_private(tmp_path):
    root = ensure_nltk_data(tmp_path / "data")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert {p.relative_to(root).as_posix() for p in files} >= {
        "sentiment/vader_lexicon.zip",
        "corpora/stopwords/english",
        "tokenizers/punkt_tab/english/abbrev_types.txt",
    }
    mtimes = {p: p.stat().st_mtime_ns for p in files}
    ensure_nltk_data(root)
    assert {p: p.stat().st_mtime_ns for p in files} == mtimes
    for d in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        assert not d.stat().st_mode & 0o022, f"{d} is group/world writable"


def test_group_writable_dir_is_made_private(tmp_path):
    root = tmp_path / "shared"
    (root / "sentiment").mkdir(parents=True)
    os.chmod(root, 0o777)
    os.chmod(root / "sentiment", 0o775)
    ensure_nltk_data(root)
    assert not root.stat().st_mode & 0o022
    assert not (root / "sentiment").stat().st_mode & 0o022


def test_nltk_itself_works_offline_in_fresh_process(tmp_path):
    """A fresh interpreter, empty HOME, sockets refused: NLTK's own loaders find our data."""
    code = f"""
import socket
def refuse(*a, **k): raise OSError("network")
socket.socket.connect = refuse
socket.create_connection = refuse
from analysis.text.nlp import ensure_nltk_data
ensure_nltk_data({str(tmp_path / "nltk")!r})
import nltk
from nltk.corpus import stopwords
from nltk.sentiment.vader import SentimentIntensityAnalyzer
assert "the" in stopwords.words("english")
assert nltk.sent_tokenize("The U.S. envoy met Mr. Smith. They agreed.") == ["The U.S. envoy met Mr. Smith.", "They agreed."]
assert SentimentIntensityAnalyzer().polarity_scores("a great success")["compound"] > 0.5
print("ok")
"""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "NLTK_DATA": ""}
    os.makedirs(env["HOME"])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_default_dir_inside_checkout():
    assert nlp.nltk_data_dir().name in (".nltk_data", "nltk_data") or os.environ.get(
        "MCA_NLTK_DATA"
    )


def test_cached_arrays_are_built_once_and_rebuilt_when_damaged(tmp_path, monkeypatch, caplog):
    import numpy as np

    from analysis.text.nlp import cached_arrays

    monkeypatch.setenv("MCA_NLTK_DATA", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"a": np.arange(5, dtype=np.uint32), "names": np.asarray(["en", "de"])}

    first = cached_arrays("demo-1", build)
    again = cached_arrays("demo-1", build)
    assert len(calls) == 1
    assert again["a"].tolist() == [0, 1, 2, 3, 4] and again["names"].tolist() == ["en", "de"]
    assert first.keys() == again.keys()
    (tmp_path / "arrays" / "demo-1.npz").write_bytes(b"torn")
    with caplog.at_level("WARNING", logger="analysis.text.nlp"):
        assert cached_arrays("demo-1", build)["a"].tolist() == [0, 1, 2, 3, 4]
    assert len(calls) == 2 and "rebuilding" in caplog.text


def test_cached_arrays_rebuild_a_truncated_file(tmp_path, monkeypatch, caplog):
    import numpy as np

    from analysis.text.nlp import cached_arrays

    monkeypatch.setenv("MCA_NLTK_DATA", str(tmp_path))
    cached_arrays("demo-2", lambda: {"a": np.arange(1000)})
    path = tmp_path / "arrays" / "demo-2.npz"
    path.write_bytes(path.read_bytes()[:300])  # a torn write: a zip without its directory
    with caplog.at_level("WARNING", logger="analysis.text.nlp"):
        assert cached_arrays("demo-2", lambda: {"a": np.arange(3)})["a"].tolist() == [0, 1, 2]
    assert "rebuilding" in caplog.text
    assert not [p for p in (tmp_path / "arrays").iterdir() if p.name.startswith(".")]


def test_mapped_arrays_are_built_once_and_rebuilt_when_damaged(tmp_path, monkeypatch, caplog):
    import numpy as np

    from analysis.text.nlp import cached_arrays

    monkeypatch.setenv("MCA_NLTK_DATA", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"a": np.arange(1000, dtype=np.float32), "names": np.asarray(["en", "de"])}

    first = cached_arrays("demo-3", build, mmap=True)
    again = cached_arrays("demo-3", build, mmap=True)
    assert len(calls) == 1
    assert isinstance(again["a"], np.memmap) and not again["a"].flags.writeable
    assert np.array_equal(again["a"], first["a"]) and again["names"].tolist() == ["en", "de"]
    folder = tmp_path / "arrays" / "demo-3"
    (folder / "a.npy").write_bytes((folder / "a.npy").read_bytes()[:200])  # torn
    with caplog.at_level("WARNING", logger="analysis.text.nlp"):
        assert cached_arrays("demo-3", build, mmap=True)["a"].tolist()[:3] == [0.0, 1.0, 2.0]
    assert len(calls) == 2 and "rebuilding" in caplog.text
    assert not [p for p in (tmp_path / "arrays").iterdir() if p.name.startswith(".")]
    assert np.array_equal(cached_arrays("demo-3", build, mmap=True)["a"], np.arange(1000))
    assert len(calls) == 2


def test_sentence_spans_prepared_ahead_are_used_without_the_splitter(tmp_path, monkeypatch):
    from analysis.text import nlp

    texts = ["Gen. Smith spoke. Talks resumed.\nKyiv was calm.", "One line only", "", None]
    expected = [nlp.sentence_spans(t) for t in texts[:2]]
    assert nlp.prepare_sentence_spans(texts, tmp_path) == 2
    monkeypatch.setattr(nlp, "_PREPARED", {})
    monkeypatch.setattr(nlp, "_PREPARED_FROM", {})
    assert nlp.use_prepared_spans(tmp_path) == 2
    assert nlp.use_prepared_spans(tmp_path) == 2  # unchanged file: not read again

    def no_splitter():
        raise AssertionError("the splitter was loaded")

    monkeypatch.setattr(nlp, "_punkt", no_splitter)
    assert [nlp.sentence_spans(t) for t in texts[:2]] == expected
    with pytest.raises(AssertionError, match="splitter"):
        nlp.sentence_spans("A text nobody prepared. It has two sentences.")
    # a torn file is not used, and nothing breaks
    monkeypatch.setattr(nlp, "_PREPARED", {})
    (tmp_path / nlp.SPANS_FILE).write_bytes(b"torn")
    assert nlp.use_prepared_spans(tmp_path) == 0


@pytest.mark.parametrize("marker", ["", "a\n", "garbage words here", "a\nnames\n"])
def test_a_damaged_marker_of_mapped_arrays_means_building_again(tmp_path, monkeypatch, marker):
    import numpy as np

    from analysis.text.nlp import cached_arrays

    monkeypatch.setenv("MCA_NLTK_DATA", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"a": np.arange(10, dtype=np.int64), "names": np.asarray(["en", "de"])}

    cached_arrays("demo-4", build, mmap=True)
    (tmp_path / "arrays" / "demo-4" / "COMPLETE").write_text(marker)  # cut short or garbage
    again = cached_arrays("demo-4", build, mmap=True)
    assert sorted(again) == ["a", "names"] and again["a"].tolist() == list(range(10))
    assert len(calls) == 2
    assert sorted(cached_arrays("demo-4", build, mmap=True)) == ["a", "names"]
    assert len(calls) == 2  # rebuilt once, then read
