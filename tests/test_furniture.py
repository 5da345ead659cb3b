"""Recurring lines of an outlet's bodies read from tables: learned and removed at ingest, recorded."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import analysis
from analysis.corpus.furniture import FURNITURE, removed_lines, removed_note
from analysis.readers import furniture
from analysis.readers.furniture import (
    learn_furniture,
    remove_furniture,
    segment_key,
    strip_segments,
)

PLACES = ["Odesa", "Mykolaiv", "Kherson", "Izmail", "Reni", "Chornomorsk", "Pivdennyi", "Vylkove"]
THINGS = ["grain convoy", "ferry line", "pilot service", "dredging work", "fuel depot"]
VERBS = ["resume", "stop", "expand", "move", "restart"]
WHEN = ["end of the week", "next month", "first frost", "harvest", "new year"]
BACKGROUND = (
    "The port has been closed to civilian ships since the spring, according to the "
    "harbour authority."
)


def _own(i: int, outlet: str) -> list[str]:
    """Sentences only article ``i`` of ``outlet`` holds."""
    place, thing = PLACES[i % 8], THINGS[(i // 8) % 5]
    return [
        f"{place} officials told the {outlet} that the {thing} would "
        f"{VERBS[i % 5]} by the {WHEN[(i // 5) % 5]}, case {i}.",
        f"Residents of {place} counted {i + 3} trucks waiting at the gates on the {i}th day.",
        f"A spokesperson for the {thing} declined to comment on the {WHEN[i % 5]} plan number {i}.",
    ]


def _gazette() -> tuple[pd.DataFrame, list[list[str]]]:
    rows, own = [], []
    days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    for i in range(40):
        mine = _own(i, "Harbour Gazette")
        body = [
            f"First published on {days[i % 5]} {i % 28 + 1} Jul 2022 {i % 24:02d}.{i % 60:02d} BST"
        ]
        body += mine[:2]
        if i < 12:  # background prose between the article's own sentences stays
            body.append(BACKGROUND)
        if 10 <= i < 20:
            body.append(f"Photograph: {PLACES[i % 8]} Press/Reuters")
        body.append(mine[2])
        if i < 3:  # seen three times only: stays
            body.append("Correction: an earlier version misspelled a name")
        if i < 30:
            body.append("Sign up to Morning Harbour, our free newsletter")
        rows.append(
            {
                "date": f"2022-07-{i % 28 + 1:02d}",
                "title": f"Port story {i}",
                "text": "   ".join(body),
            }
        )
        own.append(mine + ([BACKGROUND] if i < 12 else []))
    return pd.DataFrame(rows), own


def _courier() -> tuple[pd.DataFrame, list[list[str]]]:
    rows, own = [], []
    for i in range(30):
        mine = _own(i, "Plains Courier")
        body = ["By the Plains Courier staff", *mine, "© Plains Courier 2022. All rights reserved."]
        rows.append(
            {"date": f"2022-06-{i % 28 + 1:02d}", "title": f"Plains {i}", "text": "\n\n".join(body)}
        )
        own.append(mine)
    story = [
        "Engineers inspected the dam on the river after the water rose overnight, the council said.",
        "The spillway opened at dawn and sent a wide brown current past the old mill and the bridge.",
        "Farmers downstream moved their cattle to higher fields before the water reached the road.",
        "The council said the school would stay closed while crews checked the foundations again.",
        "Volunteers filled sandbags in the square through the night and into the next morning.",
    ]
    for v in range(6):  # versions of one story: each keeps its text
        update = (
            f"Update {v}: the water level stood at {v + 2} metres at noon on the gauge by the mill."
        )
        rows.append(
            {
                "date": f"2022-06-{v + 1:02d}",
                "title": f"Dam version {v}",
                "text": "\n\n".join([update, *story]),
            }
        )
        own.append([update, *story])
    return pd.DataFrame(rows), own


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    folder = tmp_path_factory.mktemp("furniture")
    gazette, gazette_own = _gazette()
    courier, courier_own = _courier()
    tiny = pd.DataFrame(
        {"date": ["2022-05-01"] * 4, "title": [f"t{i}" for i in range(4)],
         "text": [f"Short item {i}. Sign up to Morning Harbour, our free newsletter" for i in range(4)]}
    )  # fmt: skip
    for name, table in (("gazette", gazette), ("courier", courier), ("tiny", tiny)):
        table.assign(outlet={"gazette": "Harbour Gazette", "courier": "Plains Courier",
                             "tiny": "Tiny Weekly"}[name]).to_csv(folder / f"{name}.csv", index=False)  # fmt: skip
    corpus = folder / "corpus"
    analysis.ingest([folder / "gazette.csv", folder / "courier.csv", folder / "tiny.csv"], corpus)
    return corpus, {"Harbour Gazette": gazette_own, "Plains Courier": courier_own}


def test_furniture_is_removed_and_every_own_sentence_kept(ingested):
    corpus, own = ingested
    articles = analysis.open_corpus(corpus)
    for outlet, sentences in own.items():
        texts = articles[articles["outlet"] == outlet].sort_values("source_row")["text"].tolist()
        assert len(texts) == len(sentences)
        for text, mine in zip(texts, sentences):
            for sentence in mine:
                assert sentence in text, (outlet, sentence)
    gazette = " ".join(articles.loc[articles["outlet"] == "Harbour Gazette", "text"])
    for gone in ("First published", "BST", "Sign up to Morning Harbour", "Photograph:"):
        assert gone not in gazette
    assert gazette.count("Correction: an earlier version") == 3  # a line seen three times stays
    courier = " ".join(articles.loc[articles["outlet"] == "Plains Courier", "text"])
    assert "Plains Courier staff" not in courier and "All rights reserved" not in courier
    # four articles are too few to learn from: the tiny outlet keeps its line
    tiny = articles.loc[articles["outlet"] == "Tiny Weekly", "text"]
    assert tiny.str.contains("Sign up to Morning Harbour").all()
    # word counts follow the text
    n_words = articles["text"].fillna("").str.split().str.len()
    assert (articles["n_words"].astype(int) == n_words).all()


def test_what_was_removed_is_recorded(ingested):
    corpus, _ = ingested
    saved = json.loads((corpus / FURNITURE).read_text(encoding="utf-8"))
    assert set(saved) == {"Harbour Gazette", "Plains Courier"}
    lines = removed_lines(corpus)
    gazette = lines[lines["outlet"] == "Harbour Gazette"].set_index("line")["articles"].to_dict()
    assert gazette["Sign up to Morning Harbour, our free newsletter"] == 30
    assert gazette["Photograph: …"] == 10
    assert sum(v for k, v in gazette.items() if k.startswith("First published")) == 40
    assert not any("Correction" in k or "harbour authority" in k for k in gazette)
    note = removed_note(lines)
    assert note.startswith("Ingest removed recurring lines") and "Harbour Gazette: 3 lines" in note


def test_lines_learned_earlier_are_removed_from_new_files(ingested, tmp_path):
    corpus, _ = ingested
    late = pd.DataFrame(
        {"date": ["2022-08-01", "2022-08-02"], "title": ["late 1", "late 2"],
         "outlet": ["Harbour Gazette"] * 2,
         "text": ["Ferries ran again to the islands on the first calm morning of the month. "
                  "Sign up to Morning Harbour, our free newsletter",
                  "Sign up to Morning Harbour, our free newsletter\nThe pier reopened for anglers and walkers."]}
    )  # fmt: skip
    late.to_csv(tmp_path / "late.csv", index=False)
    copy = tmp_path / "corpus"
    import shutil

    shutil.copytree(corpus, copy)
    analysis.ingest([tmp_path / "late.csv"], copy)
    texts = analysis.open_corpus(copy).set_index("title").loc[["late 1", "late 2"], "text"].tolist()
    assert texts == [
        "Ferries ran again to the islands on the first calm morning of the month.",
        "The pier reopened for anglers and walkers.",
    ]
    before = removed_lines(corpus).set_index(["outlet", "line"])["articles"]
    after = removed_lines(copy).set_index(["outlet", "line"])["articles"]
    key = ("Harbour Gazette", "Sign up to Morning Harbour, our free newsletter")
    assert after[key] == before[key] + 2


def test_keyness_on_the_ingested_corpus_shows_content_not_furniture(ingested):
    corpus, _ = ingested
    top = analysis.keyness(
        analysis.open_corpus(corpus), by="outlet", target="Harbour Gazette", top=15
    )
    assert not {"published", "bst", "jul", "newsletter", "sign", "morning", "photograph"} & set(
        top["term"]
    )


def test_no_furniture_option_keeps_bodies(tmp_path):
    gazette, _ = _gazette()
    gazette.assign(outlet="Harbour Gazette").to_csv(tmp_path / "g.csv", index=False)
    analysis.ingest([tmp_path / "g.csv"], tmp_path / "c", furniture=False)
    assert analysis.open_corpus(tmp_path / "c")["text"].str.contains("BST").all()
    assert not (tmp_path / "c" / FURNITURE).exists()
    # the same from the command line
    from analysis.cli import main

    assert (
        main(
            [
                "-q",
                "ingest",
                str(tmp_path / "g.csv"),
                "--corpus",
                str(tmp_path / "d"),
                "--keep-furniture",
            ]
        )
        == 0
    )
    assert analysis.open_corpus(tmp_path / "d")["text"].str.contains("BST").all()
    assert main(["-q", "ingest", str(tmp_path / "g.csv"), "--corpus", str(tmp_path / "e")]) == 0
    assert not analysis.open_corpus(tmp_path / "e")["text"].str.contains("BST").any()


@pytest.mark.parametrize(
    ("text", "keys", "want"),
    [
        ("A.\n\nSign up now\n\nB.", {"sign up now"}, "A.\n\nB."),
        ("Sign up now   Talks resumed.", {"sign up now"}, "Talks resumed."),
        ("Talks resumed. Sign up now", {"sign up now"}, "Talks resumed."),
        ("Sign up now", {"sign up now"}, ""),
        ("Nothing to remove here.", {"sign up now"}, "Nothing to remove here."),
        ("", {"sign up now"}, ""),
    ],
)
def test_strip_segments_keeps_the_rest_as_it_was(text, keys, want):
    assert strip_segments(text, keys)[0] == want


def test_bodies_cut_for_learning_lose_the_same_lines_without_being_cut_again(monkeypatch):
    gazette, _ = _gazette()
    courier, _ = _courier()
    articles = pd.concat(
        [gazette.assign(outlet="Harbour Gazette"), courier.assign(outlet="Plains Courier")],
        ignore_index=True,
    ).assign(n_words=0)
    texts = {o: g["text"].tolist() for o, g in articles.groupby("outlet")}
    # a line known from an earlier ingest that this sample alone does not make furniture
    update = segment_key(
        "Update 0: the water level stood at 2 metres at noon on the gauge by the mill."
    )
    known = {"Plains Courier": {update}}
    segments: dict = {}
    model = learn_furniture(texts, known=known, segments=segments)
    assert model == learn_furniture(texts)
    assert update not in model["Plains Courier"]
    model["Plains Courier"][update] = "Update 0: …"
    assert set(segments) == {(o, t) for o, bodies in texts.items() for t in bodies}
    kept = {key for cut in segments.values() for _, _, key in cut}
    assert update in kept and kept <= set(model["Harbour Gazette"]) | set(model["Plains Courier"])

    plain, plain_removed = remove_furniture(articles, model)
    assert plain_removed[("Plains Courier", update)] == 6

    def no_cutting(text):
        raise AssertionError("a body learned from was cut again")

    monkeypatch.setattr(furniture, "cut_segments", no_cutting)
    reused, reused_removed = remove_furniture(articles, model, segments=segments)
    pd.testing.assert_frame_equal(reused, plain)
    assert reused_removed == plain_removed


def test_time_stamps_of_different_days_are_one_segment():
    assert segment_key("First published on Mon 4 Jul 2022 07.00 BST") == segment_key(
        "First published on Thursday 21 September 2023 19.45 BST"
    )
    assert segment_key("The council decided on Monday.") != segment_key(
        "The council met on Monday."
    )


#: Weekday and month names as a plain list: what segment_key replaces, spelled out.
NAMES = (
    "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday jan january feb february mar march apr april may jun june jul july aug "
    "august sep sept september oct october nov november dec december"
).split()


def _plain_key(segment: str) -> str:
    """segment_key of a segment that is no label, written as plainly as it can be."""
    names = re.compile(r"\b(?:" + "|".join(NAMES) + r")\b", re.IGNORECASE)
    key = re.sub(r"\d+", "0", names.sub("<d>", segment))
    return re.sub(r"\s+", " ", key).strip().lower()


@pytest.mark.parametrize(
    "segment",
    [
        "First published on Mon 4 Jul 2022 07.00 BST",
        "MONDAY, SEPT. 5, tues and Thurs; marched, Mayor, maybe, junk, Octopus, decembers",
        "Sat\u00a0\u00a02 Dec\t2022\u2009 06:30 ",
        "monday_ sunday1 1sunday éjan janvier Jan-Feb (Nov) «Dec»",
        # letters that match a name's letters regardless of case: long s, dotless and dotted i
        "ſun ſat tueſ İt Frİ frı thurſday",
        "",
    ],
)
def test_segment_key_replaces_names_digits_and_spaces(segment):
    assert segment_key(segment) == _plain_key(segment)


def test_segment_key_matches_every_name_in_any_case():
    for name in NAMES:
        for form in (name, name.upper(), name.title()):
            assert segment_key(f"On {form} 3") == "on <d> 0"
            assert segment_key(f"On {form}x 3") == f"on {name}x 0"  # a longer word stays


def test_a_recurring_sentence_inside_the_story_is_kept():
    bodies = [f"{own[0]} {BACKGROUND} {own[1]}" for own in (_own(i, "Gazette") for i in range(20))]
    assert learn_furniture({"Gazette": bodies}) == {}
    at_end = [f"{own[0]} {own[1]} {BACKGROUND}" for own in (_own(i, "Gazette") for i in range(20))]
    assert list(learn_furniture({"Gazette": at_end})["Gazette"].values()) == [BACKGROUND]


def test_a_short_quote_reused_inside_stories_stays_and_a_greeting_goes():
    own = [_own(i, "Gazette") for i in range(20)]
    inside = [f"{o[0]} 'You can hear the roar.' {o[1]} {o[2]}" for o in own[:8]]
    greeted = [f"Good evening. {o[0]} {o[1]}" for o in own[8:]]
    learned = learn_furniture({"Gazette": inside + greeted})
    assert list(learned["Gazette"].values()) == ["Good evening."]


def test_a_long_background_sentence_closing_the_stories_is_kept_as_framing():
    framing = (
        "The harbour was closed to civilian ships last spring, after the neighbouring "
        "province refused for the third year running to carry out the terms of the river "
        "treaty its own delegates had signed in the capital."
    )
    pitch = "Sign up for the Gazette's morning briefing."
    bodies = [f"{o[0]} {o[1]} {framing} {pitch}" for o in (_own(i, "Gazette") for i in range(20))]
    assert list(learn_furniture({"Gazette": bodies})["Gazette"].values()) == [pitch]
