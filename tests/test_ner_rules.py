"""The shape of a name: where a recogniser's span starts, stops and splits."""

from __future__ import annotations

import pytest

from analysis.text.ner_rules import (
    dateline_places,
    is_heading,
    split_span,
    team_names,
    trim_punctuation,
)


def _parts(text: str, **kwargs) -> list[str]:
    return [text[a:b] for a, b in split_span(text, 0, len(text), **kwargs)]


@pytest.mark.parametrize(
    ("span", "parts"),
    [
        ("Dmytro Kuleba", ["Dmytro Kuleba"]),
        ("Vladimir V. Putin", ["Vladimir V. Putin"]),
        ("36th Marine Brigade", ["36th Marine Brigade"]),
        ("Nord Stream 2", ["Nord Stream 2"]),
        ("Lotte 6 Haitai 2", ["Lotte", "Haitai"]),
        ("Millwall 2 Burnley 1", ["Millwall", "Burnley"]),
        ("Kansas City Royals 4-0", ["Kansas City Royals"]),
        ("Becej 4 2 1 1 5 7 7", ["Becej"]),
        ("SOCCER - KLINSMANN", ["SOCCER", "KLINSMANN"]),
        ("Natalya Shikolen ( Belarus", ["Natalya Shikolen", "Belarus"]),
        ("Kyiv, Ukraine", ["Kyiv", "Ukraine"]),
        ("Natalya Shikolen (Belarus)", ["Natalya Shikolen", "Belarus"]),
        ("Acme, Inc.", ["Acme, Inc."]),
        ("Chelsea v Arsenal", ["Chelsea", "Arsenal"]),
        ("August Chicago NAPM", ["Chicago NAPM"]),
        ("MARLINS BEAT REDS", ["MARLINS", "REDS"]),
        ("KANSAS CITY AT DETROIT", ["KANSAS CITY", "DETROIT"]),
        # words such as "at" split only a heading in capitals, and a month alone stays
        ("Bank at Home", ["Bank at Home"]),
        ("May", ["May"]),
        ("Cofinec ", ["Cofinec"]),
        ("", []),
    ],
)
def test_split_span(span, parts):
    assert _parts(span) == parts


def test_numbers_and_versus_stay_in_names_of_events_laws_and_products():
    assert _parts("FTSE 100", plain=False) == ["FTSE 100"]
    assert _parts("FTSE 100") == ["FTSE"]
    assert _parts("Roe v. Wade", plain=False) == ["Roe v. Wade"]


def test_a_person_may_start_with_a_month():
    assert _parts("April Lockley", person=True) == ["April Lockley"]
    assert _parts("Jayasuriya 3", person=True) == [
        "Jayasuriya"
    ]  # a person's name ends in no number
    assert _parts("August Chicago NAPM") == ["Chicago NAPM"]


def test_split_span_keeps_offsets_in_the_text():
    text = "Results: Millwall 2 Burnley 1 on Saturday"
    start = text.index("Millwall")
    spans = split_span(text, start, start + len("Millwall 2 Burnley 1"))
    assert [text[a:b] for a, b in spans] == ["Millwall", "Burnley"]


@pytest.mark.parametrize(
    ("span", "trimmed"),
    [
        ("Dave Nilsson ", "Dave Nilsson"),
        ("Vasily Kaptyukh (", "Vasily Kaptyukh"),
        ('"Kyiv', "Kyiv"),
    ],
)
def test_trim_punctuation(span, trimmed):
    a, b = trim_punctuation(span, 0, len(span))
    assert span[a:b] == trimmed


@pytest.mark.parametrize(
    ("span", "heading"),
    [
        ("SOCCER", True),
        ("MOTOR  RACING", True),
        ("SCHEDULE", True),
        ("Golf", False),
        ("NATO", False),
    ],
)
def test_is_heading(span, heading):
    assert is_heading(span) is heading


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Talks end\nKYIV, March 3 (Reuters) - Talks ended.", ["KYIV"]),
        ("DUBLIN 1996-08-31\nThe race was run.", ["DUBLIN"]),
        ("VENICE , Italy 1996-08-31\nA film.", ["VENICE", "Italy"]),
        ("NEW YORK (AP) - Stocks fell.", ["NEW YORK"]),
        ("MOSCOW/WASHINGTON (Reuters) - Talks.", ["MOSCOW", "WASHINGTON"]),
        ("MOSCOW, Aug 20 (Reuters) - Talks.", ["MOSCOW"]),
        # capitals with no date after them are a headline, not a dateline
        ("PUTIN WARNS WEST\nMoscow said.", []),
        ("", []),
    ],
)
def test_dateline_places(text, places):
    assert [text[a:b] for a, b in dateline_places(text)] == places


@pytest.mark.parametrize(
    ("text", "teams"),
    [
        ("Results:\nTranmere 2 Portsmouth 1\nChelsea v Arsenal", ["Tranmere", "Portsmouth", "Chelsea", "Arsenal"]),
        ("KANSAS CITY 61 74 .452 20", ["KANSAS CITY"]),
        ("Leyton Orient 4 1 1 2 3 3 4", ["Leyton Orient"]),
        # a sentence with numbers is not a line of results
        ("Kuleba met 2 envoys in Lviv on 3 May.", []),
        ("Putin 2022", []),
    ],
)  # fmt: skip
def test_team_names(text, teams):
    assert [text[a:b] for a, b in team_names(text)] == teams


def test_nothing_named_inside_a_photo_credit_is_an_actor():
    from analysis.text.ner import recognise

    text = (
        "Boris Johnson visited Kyiv on Saturday. (AP Photo/Andrew Kravchenko)\n"
        "FILE - Volodymyr Zelensky speaks in Kyiv. (AP Photo/Efrem Lukatsky, File)\n"
        "Photograph: Jane Roe/AFP/Getty Images\n"
        "Rescuers worked through the night in Kharkiv. (AP Photo/Ukraine Emergency Service)"
    )
    spans = [(a, b) for a, b, _, _ in next(recognise([text]))]
    names = {text[a:b] for a, b in spans}
    assert {"Boris Johnson", "Volodymyr Zelensky", "Kharkiv"} <= names
    # a known place inside a credit is not added back by the names list
    credit = text.index("(AP Photo/Ukraine")
    assert not [(a, b) for a, b in spans if a > credit and text[a:b] == "Ukraine"]
    credited = {
        "AP",
        "Andrew Kravchenko",
        "Kravchenko",
        "Efrem Lukatsky",
        "Jane Roe",
        "AFP",
        "FILE",
    }
    assert not names & credited, names & credited
    assert not any("Photo" in n for n in names)
