"""HTML pages: trafilatura body and metadata, htmldate date, gzip, offline."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.readers.cleaning import FIELDS
from analysis.readers.html import HTML_FIELDS, decode_html, parse_html

PARAGRAPHS = [
    "KYIV, Ukraine (AP) — Ukrainian officials said on Tuesday that talks with Russia would "
    "resume next week in Istanbul, after a pause of more than a fortnight in the fighting.",
    "The foreign minister told reporters that the first aim was a ceasefire and safe routes "
    "for civilians leaving the besieged cities in the south of the country.",
    "Russia has not said who will lead its delegation, and the Kremlin declined to comment "
    "on the timing of the meeting when reporters asked about it on Tuesday.",
]

PAGE = f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Talks to resume next week, Ukraine says | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2022-03-29T08:15:00+00:00">
<meta name="author" content="Jane Roe">
<link rel="canonical" href="https://news.example.org/world/talks-resume">
<script>var tracking = "Advertisement should never appear";</script>
<style>.menu {{ color: red; }}</style>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article>
<h1>Talks to resume next week, Ukraine says</h1>
<figure><img src="a.jpg"><figcaption>Delegates arrive in Istanbul, March 28, 2022. REUTERS/Jane Doe</figcaption></figure>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Another story entirely</a></li></ul></aside>
<footer><p>Copyright © 2022 Example Media Ltd. All rights reserved.</p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def parsed():
    return parse_html(PAGE.encode("utf-8"), source_path="talks.html")


def test_fields(parsed):
    assert set(HTML_FIELDS) == set(parsed) and set(FIELDS) <= set(parsed)


def test_body_is_the_article(parsed):
    text = parsed["text"]
    for p in PARAGRAPHS:
        assert p in text
    for chrome in ("Home", "Most read", "Another story", "Copyright", "tracking", "color"):
        assert chrome not in text
    assert not text.startswith("Talks to resume")  # the headline is not repeated in the body


def test_metadata(parsed):
    assert parsed["title"].startswith("Talks to resume next week, Ukraine says")
    assert parsed["outlet"] == "Example News"
    assert parsed["publisher"] == "Example Media"
    assert parsed["byline"] == "Jane Roe"
    assert parsed["url"] == "https://news.example.org/world/talks-resume"
    assert parsed["language"] == "en"
    assert parsed["dateline"] == "Kyiv"
    assert parsed["wire"] == "AP"
    assert "REUTERS/Jane Doe" in parsed["captions"]


def test_date_from_html(parsed):
    assert parsed["date_source"] == "html"
    ts = parsed["published"]
    assert isinstance(ts, pd.Timestamp) and str(ts.tz) == "UTC"
    assert ts.date() == pd.Timestamp("2022-03-29").date()


def test_gzip_and_str_inputs_agree(parsed):
    for raw in (gzip.compress(PAGE.encode("utf-8")), PAGE):
        other = parse_html(raw)
        assert other["text"] == parsed["text"]
        assert other["published"] == parsed["published"]


def test_offline(offline):
    doc = parse_html(PAGE.encode("utf-8"))
    assert doc["text"]


@pytest.mark.parametrize(
    "raw, expect",
    [
        pytest.param(b"", {"text": None, "date_source": "none", "published": None}, id="empty"),
        pytest.param(
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            {"text": None, "date_source": "none"},
            id="only-chrome",
        ),
        pytest.param(
            "<html><head><meta charset='windows-1251'></head><body><article><p>"
            "Переговоры возобновятся на следующей неделе в Стамбуле, заявили официальные лица "
            "во вторник, после паузы более чем в две недели.</p></article></body></html>".encode(
                "cp1251"
            ),
            {"language": None},
            id="declared-charset",
        ),
    ],
)
def test_messy_html(raw, expect):
    doc = parse_html(raw)
    for key, value in expect.items():
        assert doc[key] == value, key


def test_declared_charset_decoded():
    raw = "<meta charset='windows-1251'><p>Переговоры</p>".encode("cp1251")
    assert "Переговоры" in decode_html(raw)


@pytest.mark.parametrize("bad", [b"\x1f\x8b\x08\x00garbage", 42])
def test_bad_input_names_the_file(bad):
    with pytest.raises(InputError, match="page.html.gz"):
        parse_html(bad, source_path="page.html.gz")


@pytest.mark.slow
def test_html_benchmark_floor(extraction_dir, monkeypatch):
    """Our HTML path scores F1 >= 0.94 on the 181 real pages of the extraction benchmark."""
    from analysis.paths import repo_path

    monkeypatch.syspath_prepend(str(repo_path()))
    from benchmarks.extraction import load_pages, mean_scores

    pages = load_pages(extraction_dir)[::2]  # every other page keeps the test short
    preds = [parse_html(p["html"])["text"] for p in pages]
    scores = mean_scores(zip(preds, (p["reference"] for p in pages)))
    assert scores["f1"] >= 0.94, scores
