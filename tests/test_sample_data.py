"""The bundled sample corpus: rebuilt exactly by its script, and shaped as documented."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import datetime

import pytest

from analysis.paths import repo_path

SAMPLE = repo_path("data", "sample")
SEED_DIR = repo_path("seeds")

EMPTY = "meridian-daily/2022-03-15-live-blog.txt"
CHROME_ONLY = "harbor-city-tribune/2022-03-21-live-updates.txt"
CP1252 = "meridian-daily/2022-03-10-eu-leaders-versailles-summit-energy-ukraine.txt"
UTF16 = "northern-ledger/2022-03-20-odesa-sandbags-and-songs-as-city-prepares.txt"
CRLF = "lakeshore-evening-post/2022-03-09-ukrainian-church-fundraiser-draws-hundreds.txt"
UNDATED = "lakeshore-evening-post/undated-local-volunteers-drive-aid-to-polish-border.txt"


@pytest.fixture(scope="module")
def builder(sample_builder):
    return sample_builder


@pytest.fixture(scope="module")
def pages(builder):
    return builder.pages_from_source(builder.load_source())


@pytest.fixture(scope="module")
def manifest():
    with open(SAMPLE / "manifest.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _text(rel: str) -> str:
    raw = (SAMPLE / rel).read_bytes()
    if rel == CP1252:
        return raw.decode("cp1252")
    if rel == UTF16:
        return raw.decode("utf-16")
    return raw.decode("utf-8")


def test_committed_files_equal_a_fresh_build(builder, tmp_path):
    builder.build(tmp_path / "a")
    builder.build(tmp_path / "b")
    built = _files(tmp_path / "a")
    assert built == _files(tmp_path / "b"), "two builds differ: the build is not deterministic"
    committed = _files(SAMPLE)
    assert sorted(committed) == sorted(built), "run: python data/build_sample.py"
    changed = [rel for rel in built if built[rel] != committed[rel]]
    assert not changed, f"stale files, run python data/build_sample.py: {changed}"


def test_article_and_outlet_counts(pages):
    assert 40 <= len(pages) <= 80
    txt = sorted(SAMPLE.rglob("*.txt"))
    assert len(txt) == len(pages)  # every bundled page holds an article
    outlets = {p.parent.name for p in txt}
    assert 4 <= len(outlets) <= 5
    assert outlets == {page.outlet for page in pages}
    for outlet in outlets:
        assert sum(page.outlet == outlet for page in pages) >= 4, outlet


def test_date_span_is_three_to_four_weeks(pages):
    days = sorted({page.when.date() for page in pages})
    assert 21 <= (days[-1] - days[0]).days <= 28
    per_day = defaultdict(int)
    for page in pages:
        per_day[page.when.date()] += 1
    assert max(per_day.values()) >= 2 * min(per_day.values()), "some days should be busier"


def test_article_lengths(pages):
    for page in pages:
        n_words = sum(len(p.split()) for p in page.paragraphs)
        assert 150 <= n_words <= 400, (page.path, n_words)


def test_every_page_starts_with_its_headline_and_has_furniture(pages):
    for page in pages:
        text = _text(page.path)
        first = next(line.strip() for line in text.splitlines() if line.strip())
        assert first == page.headline, page.path
        assert re.search(r"Copyright © 2022 [^\n]+\. All rights reserved\.", text), page.path
        assert re.search(r"^\s*About (the )?\w", text, re.M), page.path
        for paragraph in page.paragraphs[1:]:
            assert paragraph in text, (page.path, paragraph[:40])


def test_wire_stories_are_republished_with_light_edits(pages):
    by_story = defaultdict(list)
    for page in pages:
        by_story[page.story_id].append(page)
    syndicated = {k: v for k, v in by_story.items() if len(v) > 1}
    assert len(syndicated) >= 6
    for copies in syndicated.values():
        original, *reprints = copies
        assert original.outlet == "continental-wire"
        assert 2 <= len({c.outlet for c in copies}) == len(copies) <= 3
        for copy in reprints:
            assert copy.headline != original.headline
            assert len(copy.paragraphs) < len(original.paragraphs), "last paragraph trimmed"
            shared = set(copy.paragraphs[1:]) & set(original.paragraphs[1:])
            assert len(shared) >= len(copy.paragraphs) // 2, copy.path


def test_quotes_and_sources_are_varied(pages):
    texts = [" ".join(page.paragraphs) for page in pages]
    corpus = "\n".join(texts)
    assert sum("condition of anonymity" in t for t in texts) >= 10
    assert sum("according to" in t.lower() for t in texts) >= 10
    for outlet in ("Continental Wire Service", "The Northern Ledger", "Meridian Daily"):
        assert f"told {outlet}" in corpus
    # Speakers are named in full once, then by surname: "Dmytro Kuleba ..." then "Kuleba said".
    full_then_surname = 0
    for text in texts:
        for first in re.finditer(r"\b[A-Z][a-z]+ ([A-Z][a-z]+)\b", text):
            later = text[first.end() :]
            if re.search(rf"\b{first.group(1)} (said|told|wrote)\b", later):
                full_then_surname += 1
                break
    assert full_then_surname >= len(texts) // 2
    # Every article quotes somebody directly.
    for page, text in zip(pages, texts):
        assert re.search(r'["“][^"”]{10,}[,.?]["”]', text), page.path


def test_bad_pages_are_built_only_on_request(sample_with_bad_pages, manifest):
    """The bundled corpus ingests without a failure; the tests build the bad pages beside it."""
    for rel in (EMPTY, CHROME_ONLY):
        assert not (SAMPLE / rel).exists()
        assert rel not in {row["path"] for row in manifest[1]}
        assert (sample_with_bad_pages / rel).is_file()
    assert (sample_with_bad_pages / EMPTY).stat().st_size == 0
    assert not [p for p in SAMPLE.rglob("*") if p.is_file() and p.stat().st_size == 0]


def test_messy_files_have_their_encodings():

    cp1252 = (SAMPLE / CP1252).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    assert b"\x93" in cp1252 and b"\x94" in cp1252 and b"\xe9" in cp1252  # “ ” é
    assert "Élysée" in cp1252.decode("cp1252")

    utf16 = (SAMPLE / UTF16).read_bytes()
    assert utf16.startswith(b"\xff\xfe")
    assert utf16.decode("utf-16").lstrip().startswith("In Odesa, sandbags")

    crlf = (SAMPLE / CRLF).read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 20

    for rel in SAMPLE.rglob("*.txt"):
        name = rel.relative_to(SAMPLE).as_posix()
        if name not in (CP1252, UTF16):
            assert not rel.read_bytes().startswith(b"\xef\xbb\xbf"), name
            rel.read_bytes().decode("utf-8")  # everything else is plain UTF-8


def test_furniture_only_page_has_no_article_text(pages, sample_with_bad_pages):
    text = (sample_with_bad_pages / CHROME_ONLY).read_text(encoding="utf-8")
    assert "Copyright © 2022 Harbor City Tribune Company" in text
    for page in pages:
        for paragraph in page.paragraphs:
            assert paragraph[:60] not in text
    assert max(len(line.split()) for line in text.splitlines()) < 25


def test_story_groups_match_the_stories_the_sample_was_written_from(pages, sample_articles):
    """Every republished copy (some cut to their first paragraphs) joins its story, no other."""
    from pathlib import Path

    from analysis import find_duplicates

    truth = {str((SAMPLE / page.path).resolve()): page.story_id for page in pages}
    found = find_duplicates(sample_articles)
    story = found["source_path"].map(lambda p: truth.get(str(Path(p).resolve())))
    known = found[story.notna().to_numpy()].assign(truth=story.dropna().to_numpy())
    assert known["truth"].nunique() < len(known)  # the sample has republished copies
    assert (known.groupby("truth")["story_id"].nunique() == 1).all()
    assert (known.groupby("story_id")["truth"].nunique() == 1).all()


def test_undated_page_has_no_parseable_date(manifest):
    _, rows = manifest
    assert UNDATED not in {row["path"] for row in rows}
    text = _text(UNDATED)
    months = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    assert not re.search(rf"\b({months})[a-z]*\.? \d{{1,2}}\b", text)
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/20\d\d\b", text)
    assert "Posted {{" in text


def test_manifest_covers_most_but_not_all_files(manifest, pages):
    columns, rows = manifest
    assert columns == ["path", "url", "outlet", "published"]
    paths = [row["path"] for row in rows]
    assert len(paths) == len(set(paths))
    for row in rows:
        assert (SAMPLE / row["path"]).is_file(), row["path"]
        assert row["url"].startswith("https://") and ".example/" in row["url"]
        assert datetime.fromisoformat(row["published"]).tzinfo is not None
    all_txt = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*.txt")}
    missing = all_txt - set(paths)
    assert 3 <= len(missing) <= len(all_txt) // 4
    folder_outlet = defaultdict(set)
    for row in rows:
        folder_outlet[row["path"].split("/")[0]].add(row["outlet"])
    assert all(len(names) == 1 for names in folder_outlet.values())


def test_unlisted_pages_show_their_date_in_the_text(manifest, pages):
    _, rows = manifest
    listed = {row["path"] for row in rows}
    unlisted = [page for page in pages if page.path not in listed and page.path != UNDATED]
    assert unlisted
    for page in unlisted:
        d = page.when
        month = d.strftime("%B")
        forms = (f"{month} {d.day}, {d.year}", f"{d.day} {month[:3]} {d.year}")
        assert any(form in _text(page.path) for form in forms), page.path


def test_no_long_passage_is_shared_with_the_seed(pages):
    """The corpus is written for the project: no 10-word run of the seed page appears in it."""
    seed_words = " ".join(p.read_text(encoding="utf-8") for p in SEED_DIR.glob("*.txt")).split()
    shingles = {" ".join(seed_words[i : i + 10]) for i in range(len(seed_words) - 9)}
    for page in pages:
        words = " ".join(page.paragraphs).split()
        for i in range(len(words) - 9):
            assert " ".join(words[i : i + 10]) not in shingles, page.path
