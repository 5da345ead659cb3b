"""Where the news is: place mentions resolved, counted per 1,000 articles, and mapped."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis.errors import ParameterError, SchemaError
from analysis.paths import repo_path

GOLD = repo_path("tests", "fixtures", "places", "gold.csv")


@pytest.fixture(scope="module", autouse=True)
def _gazetteer():
    """Read the gazetteer once for the module (a second or two), before the first test."""
    from analysis.measures.gazetteer import gazetteer

    gazetteer()


def _mentions(*articles: list[str]) -> pd.DataFrame:
    rows = [(f"a{i}", text) for i, names in enumerate(articles) for text in names]
    return pd.DataFrame(rows, columns=["article_id", "text"])


def _first(*names: str) -> pd.Series:
    return analysis.resolve_places(_mentions(list(names))).iloc[0]


@pytest.mark.parametrize(
    "names, place, country, reason",
    [
        (["Paris"], "Paris", "FR", "largest population"),
        (["Paris", "Texas"], "Paris", "US", "article region"),
        (["Paris", "Germany"], "Paris", "FR", "largest population"),
        (["London", "Detroit"], "London", "GB", "largest population"),  # not Ontario's
        (["London", "Ontario"], "London", "CA", "article region"),
        (["Jamaica", "New York"], "Jamaica", "JM", "kind"),  # not the town in Queens
        (["Lebanon", "Pennsylvania"], "Lebanon", "US", "article region"),
        (["Washington", "London"], "Washington", "US", "listed reading"),  # not Tyne and Wear
        (["St. Petersburg", "Fla."], "St. Petersburg", "US", "article region"),
        (["Georgia"], "Georgia", "GE", "kind"),
        (["Georgia", "Tbilisi"], "Georgia", "GE", "article country"),
        (["Georgia", "Atlanta"], "Georgia", "US", "article region"),
        (["Georgia", "Russia"], "Georgia", "GE", "neighbouring country"),
        (["Georgia", "Florida"], "Georgia", "US", "article country"),
        (["Springfield", "Illinois"], "Springfield", "US", "article region"),
        (["Springfield", "Boston"], "Springfield", "US", "article region"),
        (["Washington", "Moscow"], "Washington", "US", "listed reading"),
        (["Moscow", "Washington"], "Moscow", "RU", "largest population"),
        (["Odessa", "Texas"], "Odessa", "US", "article region"),
        (["Odessa"], "Odesa", "UA", "listed reading"),
    ],
)
def test_a_shared_name_is_read_by_the_article(names, place, country, reason):
    row = _first(*names)
    assert (row["place"], row["country_code"], row["resolved_by"]) == (place, country, reason)
    assert row["candidates"] >= 2


def test_springfield_lands_in_the_state_the_article_names():
    illinois = _first("Springfield", "Illinois")
    massachusetts = _first("Springfield", "Massachusetts")
    assert illinois["longitude"] == pytest.approx(-89.64, abs=0.1)
    assert massachusetts["longitude"] == pytest.approx(-72.59, abs=0.1)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Kyiv", "Kiev", "KYIV", "Kyïv"],
        ["Kharkiv", "Kharkov"],
        ["Odesa", "Odessa"],
        ["Zaporizhzhia", "Zaporozhye", "Zaporizhzhya"],
        ["Mykolaiv", "Nikolaev", "Mykolayiv"],
    ],
)
def test_transliterations_are_one_place(spellings):
    out = analysis.resolve_places(_mentions(*[[s] for s in spellings]))
    assert out["place"].nunique() == 1
    assert set(out["country_code"]) == {"UA"}
    assert out["latitude"].nunique() == 1 and out["population"].iloc[0] > 400_000


def test_countries_regions_and_continents_have_points():
    out = analysis.resolve_places(_mentions(["the U.S.", "Britain", "Crimea", "Europe", "Donbas"]))
    assert out["place"].tolist() == [
        "United States",
        "United Kingdom",
        "Crimea",
        "Europe",
        "Donbas",
    ]
    assert out["kind"].tolist() == ["country", "country", "region", "continent", "region"]
    assert out[["latitude", "longitude"]].notna().all().all()
    crimea = out.iloc[2]
    assert 44 < crimea["latitude"] < 46 and 33 < crimea["longitude"] < 36


def test_unresolved_mentions_are_kept_and_counted():
    mentions = _mentions(["Kyiv", "Narnia"], ["Hogwarts"])
    out = analysis.resolve_places(mentions)
    assert len(out) == 3
    assert out["place"].isna().tolist() == [False, True, True]
    assert out["resolved_by"].tolist() == ["only candidate", "unresolved", "unresolved"]
    assert out.attrs["places"] == {"mentions": 3, "resolved": 1, "unresolved": 2}
    no_article = analysis.resolve_places(pd.DataFrame({"article_id": [None], "text": ["Kyiv"]}))
    assert no_article["place"].tolist() == ["Kyiv"]  # a mention without its article is still read
    articles = pd.DataFrame({"article_id": ["a0", "a1"], "outlet": ["X", "X"]})
    counts = analysis.place_counts(out, articles)
    lost = counts.set_index("place").loc["(unresolved)"]
    assert (lost["mentions"], lost["articles"], lost["article_ids"]) == (2, 2, ["a0", "a1"])


def test_only_place_mentions_of_an_entities_table_are_read():
    entities = pd.DataFrame(
        {"article_id": ["a", "a", "a"], "text": ["Kyiv", "Zelensky", "Georgia"],
         "type": ["PLACE", "PERSON", "PLACE"], "sentence": [0, 0, 1]}
    )  # fmt: skip
    out = analysis.resolve_places(entities)
    assert out["text"].tolist() == ["Kyiv", "Georgia"]
    assert out["sentence"].tolist() == [0, 1]
    assert out.loc[1, "country_code"] == "GE"  # the article's Kyiv says nothing of the US


def test_aliases_read_a_name_as_a_place():
    mentions = _mentions(["Springfield", "the Big Apple"])
    out = analysis.resolve_places(
        mentions, aliases={"Springfield": "Springfield (US-OR)", "Big Apple": "New York City"}
    )
    assert out["place"].tolist() == ["Springfield", "New York City"]
    assert out.loc[0, "longitude"] == pytest.approx(-123.02, abs=0.1)
    assert out["resolved_by"].tolist() == ["alias", "alias"]
    with pytest.raises(ParameterError, match="Qqzzyx"):
        analysis.resolve_places(mentions, aliases={"x": "Qqzzyx"})
    with pytest.raises(SchemaError, match="text"):
        analysis.resolve_places(pd.DataFrame({"article_id": ["a"]}))


def test_accuracy_on_the_written_list_of_mentions():
    gold = pd.read_csv(GOLD, keep_default_na=False)
    assert len(gold) >= 100
    out = analysis.resolve_places(gold.rename(columns={"place": "want", "country_code": "want_cc"}))
    right = (out["place"].fillna("") == out["want"]) & (
        out["country_code"].fillna("") == out["want_cc"]
    )
    shared = out["candidates"] > 1
    assert right.mean() >= 0.95, out.loc[~right, ["article_id", "text", "want", "place"]]
    assert right[shared].mean() >= 0.9 and shared.sum() >= 30


@pytest.fixture(scope="module")
def resolved():
    mentions = _mentions(
        ["Kiev", "Kyiv", "Lviv"], ["Kyiv"], ["Mariupol", "Narnia"], ["Kharkov"], ["Kharkiv"]
    )
    return analysis.resolve_places(mentions)


@pytest.fixture(scope="module")
def articles():
    return pd.DataFrame(
        {
            "article_id": ["a0", "a1", "a2", "a3", "a4", "a5"],
            "outlet": ["X", "X", "Y", "Y", "Y", "Y"],
            "published": pd.to_datetime(
                ["2022-03-01", "2022-04-02", "2022-03-05", "2022-03-06", "2022-03-07", "2022-04-01"]
            ),  # fmt: skip
            "story_id": ["s0", "s1", "s2", "s3", "s3", "s5"],
            "is_duplicate": [False, False, False, False, True, False],
        }
    )


def test_counts_are_mentions_per_1000_articles_with_their_ids(resolved, articles):
    counts = analysis.place_counts(resolved, articles, by="outlet")
    table = counts.set_index(["outlet", "place"])
    assert table.loc[("X", "Kyiv"), ["mentions", "articles", "total"]].tolist() == [3, 2, 2]
    assert table.loc[("X", "Kyiv"), "per_1000"] == 1500.0
    assert table.loc[("X", "Kyiv"), "article_ids"] == ["a0", "a1"]
    assert table.loc[("Y", "Kharkiv"), "per_1000"] == 500.0  # 2 mentions, 4 articles
    assert table.loc[("Y", "(unresolved)"), "mentions"] == 1
    assert counts.groupby("outlet")["mentions"].sum().to_dict() == {"X": 4, "Y": 4}
    assert (counts["articles"] == counts["article_ids"].map(len)).all()


def test_counts_per_country_period_top_and_copies(resolved, articles):
    countries = analysis.place_counts(resolved, articles, by=None, unit="country")
    ukraine = countries.set_index("place").loc["Ukraine"]
    assert (ukraine["mentions"], ukraine["total"], ukraine["per_1000"]) == (7, 6, 7000 / 6)
    assert ukraine["latitude"] == pytest.approx(48.97, abs=0.5)
    unique = analysis.place_counts(resolved, articles, by=None, copies="unique")
    assert unique.set_index("place").loc["Kharkiv", ["mentions", "total"]].tolist() == [1, 5]
    top = analysis.place_counts(resolved, articles, by=None, top=2)
    assert top["place"].tolist() == ["Kyiv", "Kharkiv", "(unresolved)"]  # most mentioned first
    monthly = analysis.place_counts(resolved, articles, by="outlet", freq="M", top=1)
    assert monthly.groupby(["outlet", "period"]).size().max() <= 2  # the top place + unresolved
    assert monthly.set_index(["outlet", "place"]).loc[("X", "Kyiv"), "mentions"].tolist() == [2, 1]
    assert "Lviv" not in set(monthly["place"])
    with pytest.raises(ParameterError, match="unit"):
        analysis.place_counts(resolved, articles, unit="city")
    with pytest.raises(SchemaError, match="published"):
        analysis.place_counts(resolved, articles.drop(columns="published"), freq="M")


@pytest.mark.slow  # importing matplotlib and writing a PNG: about 3 s on a busy machine
def test_the_map_draws_and_saves_with_its_numbers(resolved, articles, tmp_path):
    import matplotlib.pyplot as plt

    counts = analysis.place_counts(resolved, articles, by="outlet")
    fig = analysis.plot_place_map(counts)
    maps = [ax for ax in fig.axes if ax.get_visible()]
    assert len(maps) == 2
    assert maps[0].get_title(loc="left").startswith("X\n4 mentions, N=2")
    assert "1 unplaced" in maps[1].get_title(loc="left")
    # the titles of side-by-side maps do not run into each other
    fig.canvas.draw()
    left, right = (
        next(
            t
            for t in ax.get_children()
            if getattr(t, "get_text", lambda: "")() == ax.get_title(loc="left")
        ).get_window_extent()
        for ax in maps
    )
    assert left.x1 < right.x0
    sizes = sorted(maps[0].collections[1].get_sizes())  # outlines first, then the points
    assert sizes[1] == pytest.approx(3 * sizes[0])  # Kyiv named 3 times, Lviv once: area ~ mentions
    analysis.save_figure(fig, counts, "place_map", output_dir=tmp_path)
    png = tmp_path / "figures" / "place_map.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = pd.read_csv(tmp_path / "figures" / "place_map.csv")
    assert saved["mentions"].sum() == 8
    ax = analysis.plot_place_map(counts, by="", value="per_1000", extent="world")
    assert ax.get_xlim() == (-180.0, 180.0)
    nothing = analysis.place_counts(resolved.iloc[:0], articles)
    assert "0 mentions" in analysis.plot_place_map(nothing).get_title(loc="left")
    plt.close("all")


@pytest.mark.slow  # importing matplotlib
def test_place_names_stay_on_their_map(resolved, articles):
    import matplotlib.pyplot as plt

    counts = analysis.place_counts(resolved, articles, by="")
    far = counts.index[0]
    counts.loc[far, ["place", "longitude", "latitude"]] = ["Petropavlovsk-Kamchatsky", 158.6, 53.0]
    ax = analysis.plot_place_map(counts, by="", extent="world")
    ax.figure.canvas.draw()
    box = ax.get_window_extent()
    named = {t.get_text(): t.get_window_extent() for t in ax.texts}
    assert "Petropavlovsk-Kamchatsky" in named
    for name, extent in named.items():
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, name
    plt.close("all")


def test_most_reuters_locations_are_placed():
    """CoNLL-2003's location entities (real Reuters text) as mentions: the share placed is a floor."""
    from conftest import _corpus_or_skip

    from benchmarks.places import conll_locations

    _corpus_or_skip("conll2003")
    mentions = conll_locations()
    out = analysis.resolve_places(mentions)
    assert len(out) == 1837
    assert out["place"].notna().mean() >= 0.87
    washington = out[out["text"].str.casefold() == "washington"]
    assert set(washington["country_code"]) == {"US"}  # datelines and capitals, never England's town
