"""Duplicates and syndication: case table, wire credits, determinism, real corpora."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.corpus.duplicates import (
    dedupe,
    detect_wire,
    find_duplicates,
    minhash_signatures,
    normalize_text,
    wire_name,
)
from analysis.errors import ParameterError, SchemaError
from analysis.schema import article_id, conform

# Two invented stories about the same event on the same day, and one about another.
STORY = [
    "ODESA, Ukraine (AP) — Russian missiles struck the port of Odesa early on Saturday, "
    "damaging two grain warehouses and a loading crane, the regional governor said, a day "
    "after Moscow and Kyiv signed a deal meant to reopen Black Sea shipping.",
    "Governor Maksym Marchenko wrote on his Telegram channel that air defences shot down two "
    "of the four missiles and that firefighters put out the blaze within three hours. He said "
    "nobody was killed but that several dock workers were taken to hospital with burns.",
    "The strike drew quick condemnation from the United Nations, whose secretary-general had "
    "stood beside the Turkish president in Istanbul on Friday to witness the signing. A "
    "spokesman said the deal depended on all parties keeping their word.",
    "Ukraine's foreign ministry called the attack a spit in the face of Turkey and the United "
    "Nations. Ministers in Kyiv said they would still prepare the first ships for departure, "
    "but insurers warned that premiums for vessels calling at Ukrainian ports would rise.",
    "Before the war, Ukraine shipped about six million tons of grain a month through its Black "
    "Sea ports. Millions of tons have been stuck in silos since February, pushing up bread "
    "prices across North Africa and the Middle East.",
    "Russia's defence ministry did not comment on the strike on Saturday. Its spokesman had "
    "said on Friday that Russian forces would not use the pause to attack the ports.",
]
OTHER_SAME_DAY = (
    "Dock workers in Odesa spent Saturday clearing rubble after a missile attack on the harbour, "
    "hours after Moscow and Kyiv agreed in Istanbul to let grain ships sail again. Crews from "
    "three shipping firms said they were waiting for orders and doubted any vessel would leave "
    "this month. A harbour pilot, who gave only his first name, Oleh, said the mines laid at the "
    "entrance to the port had not been cleared and that no captain would risk the passage "
    "without an escort. Farmers in the Odesa region told reporters their barns were full from "
    "last year and that the new harvest would have nowhere to go. The city council opened a "
    "shelter for families whose flats near the port lost their windows in the blast, and "
    "volunteers brought water and bread to the dockside. Prices for wheat on the Chicago "
    "exchange rose after news of the strike, traders said, reversing part of Friday's fall."
)
OTHER_EVENT = (
    "KHARKIV, Ukraine — Shelling hit a residential district of Kharkiv overnight, setting fire "
    "to a school and a block of flats, the mayor said on Saturday. Ihor Terekhov said three "
    "people were wounded and that rescue teams were searching the flats for anyone trapped. "
    "The city, Ukraine's second largest, has been shelled almost daily since the spring, and "
    "many of its residents have moved to the metro stations at night. Officials said the school "
    "had been empty for months and was due to reopen in September after repairs. Regional "
    "authorities urged people to heed the air raid sirens and to stay out of the northern "
    "districts, which lie within range of Russian artillery across the border."
)


# The same story as filed in full later in the day, twice as long.
LATER = [
    "Shipping agents in Istanbul said two bulk carriers that had been due to load maize in "
    "Odesa next week were waiting for new instructions from their owners. One agent said the "
    "owners wanted written guarantees from the coordination centre before sending crews in.",
    "The coordination centre, staffed by Russian, Ukrainian, Turkish and United Nations "
    "officials, is meant to inspect ships and agree safe corridors through the mined waters. "
    "Its offices in Istanbul were still being fitted out on Saturday, a Turkish official said.",
    "In Kyiv, President Volodymyr Zelensky said in his nightly video address that the strike "
    "showed Moscow could not be trusted, but he did not say the deal was off. He thanked the "
    "Turkish president for his efforts and said the first grain would still leave this month.",
    "Farm groups in the south said their members had run out of storage and were selling wheat "
    "at a loss to traders who move it by lorry and rail to Romania and Poland. The overland "
    "routes can carry only a fraction of what the ports handled before the invasion.",
    "The White House called the attack outrageous and said it cast doubt on Russia's "
    "commitment to the agreement. European Union officials said they would keep helping "
    "Ukraine export grain by road, rail and river whatever happened at sea.",
    "Analysts said the coming week would show whether the deal could work at all. A first "
    "convoy sailing safely would calm markets, they said, while another strike on a port "
    "could end the arrangement before a single ship had left.",
]
FULL = "\n\n".join(STORY + LATER)


def _text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


BASE = _text(STORY)
PLAIN = BASE.replace("ODESA, Ukraine (AP) — ", "ODESA — ")  # no agency credit


def _table(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col, default in (("title", ""), ("url", ""), ("outlet", "Outlet")):
        df[col] = df[col].fillna(default) if col in df else default
    if "published" not in df:
        df["published"] = "2022-07-23"
    df["article_id"] = [
        article_id(o, u, t, x) for o, u, t, x in zip(df.outlet, df.url, df.title, df.text)
    ]
    return conform(df)


def _pair(base: dict, copy: dict) -> pd.DataFrame:
    return find_duplicates(_table([base, copy]))


EDITS = {
    "identical": lambda: BASE,
    "spacing, case and quotes": lambda: BASE.upper().replace(" — ", " - ").replace("'", "\u2019"),
    "byline added": lambda: "By Olena Petrenko and Mark Lewis\n\n" + BASE,
    "last paragraph trimmed": lambda: _text(STORY[:-1]),
    "dateline changed": lambda: BASE.replace("ODESA, Ukraine (AP) — ", "ODESA: "),
    "two paragraphs trimmed and byline": lambda: "By Olena Petrenko\n" + _text(STORY[:-2]),
    "a sentence reworded": lambda: BASE.replace(
        "put out the blaze within three hours", "needed three hours to extinguish the fire"
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_lightly_edited_copy_groups_with_original(edit):
    copy = EDITS[edit]()
    out = _pair(
        {"outlet": "Alpha", "title": "Missiles hit Odesa port", "text": BASE},
        {"outlet": "Beta", "title": "Odesa port struck a day after grain deal", "text": copy},
    )
    assert out["story_id"].nunique() == 1, edit
    assert out["is_duplicate"].tolist().count(True) == 1


@pytest.mark.parametrize("other", ["same topic and day", "another event"])
def test_different_stories_do_not_group(other):
    text = OTHER_SAME_DAY if other == "same topic and day" else OTHER_EVENT
    out = _pair({"outlet": "Alpha", "text": BASE}, {"outlet": "Alpha", "text": text})
    assert out["story_id"].nunique() == 2
    assert not out["is_duplicate"].any()


def test_headline_change_alone_is_an_exact_copy():
    out = _pair(
        {"title": "Missiles hit Odesa", "text": BASE},
        {"title": "Grain deal in doubt after strike", "text": BASE},
    )
    assert out["story_id"].nunique() == 1


def test_empty_and_short_texts_are_not_lumped_together():
    rows = [
        {"title": f"Gallery {i}", "text": t} for i, t in enumerate(["", "", " ", "Photo", "Photo"])
    ]
    rows.append({"title": "Gallery 4", "text": "Photo"})  # same title and text as the row before
    out = find_duplicates(_table(rows))
    ids = out["story_id"].tolist()
    assert len(set(ids[:5])) == 5  # empty texts and short texts under different titles
    assert ids[4] == ids[5]
    assert out["is_duplicate"].tolist() == [False] * 5 + [True]


def test_identical_empty_rows_still_get_their_own_story():
    df = _table([{"text": ""}, {"text": ""}])
    assert df["article_id"].nunique() == 1
    out = find_duplicates(df)
    assert out["story_id"].nunique() == 2
    assert not out["is_duplicate"].any()


def test_earliest_copy_is_canonical_when_no_wire():
    out = find_duplicates(
        _table(
            [
                {"outlet": "Late", "text": PLAIN, "published": "2022-07-24"},
                {"outlet": "Undated", "text": PLAIN, "published": None},
                {"outlet": "Early", "text": PLAIN, "published": "2022-07-23"},
            ]
        )
    )
    canon = out[~out["is_duplicate"]]
    assert canon["outlet"].tolist() == ["Early"]
    assert (out["story_id"] == canon["article_id"].iloc[0]).all()
    assert not out["syndicated"].any()
    assert out["wire"].isna().all()


def test_agency_opening_makes_every_copy_syndicated():
    out = find_duplicates(_table([{"outlet": "A", "text": BASE}, {"outlet": "B", "text": PLAIN}]))
    assert out["story_id"].nunique() == 1
    assert out["syndicated"].all() and (out["wire"] == "AP").all()


def test_wire_original_is_canonical_and_copies_are_syndicated():
    plain = PLAIN
    out = find_duplicates(
        _table(
            [
                {
                    "outlet": "Daily Mail",
                    "text": plain,
                    "published": "2022-07-23 06:00",
                    "url": "https://www.dailymail.co.uk/wires/ap/article-1/odesa.html",
                },
                {
                    "outlet": "Associated Press",
                    "text": plain,
                    "published": "2022-07-23 09:00",
                    "url": "https://apnews.com/article/odesa",
                },
                {
                    "outlet": "Evening Post",
                    "text": "By Jo Bloggs\n" + plain,
                    "published": "2022-07-23 08:00",
                },
            ]
        )
    )
    by = out.set_index("outlet")
    assert not by.at["Associated Press", "is_duplicate"]
    assert by.at["Daily Mail", "is_duplicate"] and by.at["Evening Post", "is_duplicate"]
    assert by["syndicated"].to_dict() == {
        "Daily Mail": True,
        "Associated Press": False,
        "Evening Post": True,
    }
    assert (by["wire"] == "AP").all()


def test_copy_on_wire_pages_is_syndicated_even_under_agency_name():
    out = find_duplicates(
        _table(
            [
                {
                    "outlet": "AssociatedPress",
                    "text": OTHER_EVENT,
                    "url": "https://www.dailymail.co.uk/wires/ap/article-2/kharkiv.html",
                }
            ]
        )
    )
    assert out["syndicated"].tolist() == [True]
    assert out["wire"].tolist() == ["AP"]


def test_existing_wire_is_kept():
    df = _table([{"outlet": "CNA", "text": BASE}, {"outlet": "BBC", "text": OTHER_EVENT}])
    df = df.assign(wire=pd.array(["Reuters", pd.NA], dtype="string"))
    out = find_duplicates(df)
    assert out["wire"].tolist()[0] == "Reuters"  # not replaced by the AP opening
    assert out["syndicated"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("KYIV, Ukraine (AP) — The mayor said...", None, "AP"),
        ("MOSCOW, Aug 20 (Reuters) - Russian officials said...", None, "Reuters"),
        ("PARIS (AFP) - France said...", None, "AFP"),
        ("Talks went on.\n(Reporting by Jan Wolfe; Editing by Grant McCool)", None, "Reuters"),
        ("Talks went on. Associated Press writer Jill Lawless in London contributed.", None, "AP"),
        ("Body.", "https://www.dailymail.co.uk/wires/reuters/article-1/x.html", "Reuters"),
        ("Body.", "https://apnews.com/article/ukraine-1", "AP"),
        ("A minister told Reuters the talks would resume.", None, None),
        ("The AP style guide changed.", None, None),
        ("", None, None),
        (None, "https://www.bbc.com/news/world-1", None),
    ],
)
def test_detect_wire(text, url, expected):
    assert detect_wire(text, url) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AP", "AP"),
        ("The Associated Press", "AP"),
        ("AssociatedPress", "AP"),
        ("Thomson Reuters", "Reuters"),
        ("Agence France-Presse", "AFP"),
        ("BBC", None),
        (None, None),
    ],
)
def test_wire_name(name, expected):
    assert wire_name(name) == expected


def test_deterministic_and_order_independent():
    rows = [
        {"outlet": "A", "text": BASE, "published": "2022-07-23"},
        {"outlet": "B", "text": EDITS["byline added"](), "published": "2022-07-24"},
        {"outlet": "C", "text": OTHER_SAME_DAY, "published": "2022-07-23"},
        {"outlet": "D", "text": OTHER_EVENT, "published": "2022-07-22"},
        {"outlet": "E", "text": EDITS["last paragraph trimmed"](), "published": "2022-07-25"},
    ]
    df = _table(rows)
    first = find_duplicates(df)
    again = find_duplicates(df)
    pd.testing.assert_series_equal(first["story_id"], again["story_id"])
    shuffled = find_duplicates(df.sample(frac=1, random_state=3)).loc[df.index]
    pd.testing.assert_series_equal(first["story_id"], shuffled["story_id"])
    assert first["story_id"].nunique() == 3


def test_input_not_mutated_and_index_kept():
    df = _table([{"text": BASE}, {"text": BASE}, {"text": OTHER_EVENT}])
    df.index = [10, 5, 7]
    before = df.copy()
    out = find_duplicates(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.index) == [10, 5, 7]
    assert str(out["story_id"].dtype).startswith("string")
    assert out["is_duplicate"].dtype == "boolean" and out["syndicated"].dtype == "boolean"


def test_dedupe_keeps_one_row_per_story():
    df = _table([{"text": BASE}, {"text": EDITS["byline added"]()}, {"text": OTHER_EVENT}])
    kept = dedupe(df)
    assert len(kept) == 2
    found = find_duplicates(df)
    assert dedupe(found).index.tolist() == kept.index.tolist()  # stored flags are reused
    assert set(kept["story_id"]) == set(found["story_id"])


def test_bad_input():
    with pytest.raises(SchemaError, match="text"):
        find_duplicates(pd.DataFrame({"title": ["x"]}))
    with pytest.raises(ParameterError, match="threshold"):
        find_duplicates(_table([{"text": BASE}]), threshold=1.5)
    with pytest.raises(ParameterError, match="max_days"):
        find_duplicates(_table([{"text": BASE}]), max_days=-1)


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param(_text(STORY[:4]), id="first third"),
        pytest.param("By Olena Petrenko\n\n" + _text(STORY[:4]), id="first third and byline"),
        pytest.param(_text(STORY[:5]).replace("(AP) — ", "— "), id="first two fifths, credit cut"),
    ],
)
def test_copy_that_kept_only_the_opening_groups_with_the_full_story(copy):
    out = _pair(
        {"outlet": "Alpha", "title": "Odesa port struck", "text": FULL},
        {"outlet": "Beta", "title": "Missiles hit Odesa", "text": copy},
    )
    assert len(copy.split()) < 0.45 * len(FULL.split())
    assert out["story_id"].nunique() == 1
    assert out["is_duplicate"].tolist() == [False, True]


def test_brief_and_stories_inside_a_live_blog_stay_apart(monkeypatch):
    """Contained texts join a longer one only when they open it and are not short."""
    brief = STORY[0] + " " + STORY[1]  # one paragraph of 85 words: below the minimum
    blog = _text(["Live: war in Ukraine, Saturday", brief, OTHER_EVENT, OTHER_SAME_DAY, *LATER[2:]])
    rows = [
        {"outlet": "Live", "title": "Live", "text": blog},
        {"outlet": "Wire", "title": "Brief", "text": brief},
        {"outlet": "Wire", "title": "Full", "text": FULL},
        {"outlet": "Alpha", "title": "Kharkiv", "text": OTHER_EVENT},
        {"outlet": "Beta", "title": "Docks", "text": OTHER_SAME_DAY},
    ]
    out = find_duplicates(_table(rows))
    assert out["story_id"].nunique() == len(rows)
    # without the minimum length, the brief would join the blog and the full story
    from analysis.corpus import duplicates

    monkeypatch.setattr(duplicates, "MIN_CONTAINED_SHINGLES", 0)
    loose = find_duplicates(_table(rows)).set_index("title")["story_id"]
    assert loose["Brief"] == loose["Live"] == loose["Full"] != loose["Kharkiv"]


def test_trimmed_copy_needs_containment():
    out = find_duplicates(_table([{"text": FULL}, {"text": _text(STORY[:4])}]), containment=None)
    assert out["story_id"].nunique() == 2


def test_near_copies_far_apart_in_time_are_separate_but_exact_copies_are_not():
    trimmed = EDITS["last paragraph trimmed"]()
    rows = [
        {"text": BASE, "published": "2022-01-01"},
        {"text": trimmed, "published": "2022-06-01"},
        {"text": BASE, "published": "2022-06-01"},
    ]
    out = find_duplicates(_table(rows))
    # the trimmed copy joins the exact June copy; that copy joins January by its exact key
    assert out["story_id"].nunique() == 1
    out = find_duplicates(_table(rows[:2]))
    assert out["story_id"].nunique() == 2
    assert find_duplicates(_table(rows[:2]), max_days=None)["story_id"].nunique() == 1


def test_signatures_match_datasketch():
    from datasketch import MinHash

    rng = np.random.default_rng(0)
    sets = [
        np.unique(rng.integers(0, 2**32, size=s, dtype=np.uint64).astype(np.uint32))
        for s in (1, 7, 300, 5000)
    ]
    sig = minhash_signatures(sets, num_perm=64, chunk=1000)
    for values, row in zip(sets, sig):
        m = MinHash(num_perm=64, hashfunc=lambda v: v)
        m.update_batch([int(v) for v in values])
        assert np.array_equal(m.hashvalues, row)


def test_normalize_text():
    assert normalize_text("Kyiv’s  “SHELLING”\n ended.") == normalize_text("kyiv's shelling ended")
    assert normalize_text(None) == "" and normalize_text("  ") == ""


# ---------------------------------------------------------------- real corpora


@pytest.mark.corpora
@pytest.mark.slow
def test_ukraine_ap_syndication(ukraine_articles):
    out = find_duplicates(ukraine_articles)
    ap_file = out["outlet"] == "AssociatedPress"
    ap_rows = out["wire"] == "AP"
    # AssociatedPress.csv holds AP stories as republished on dailymail.co.uk/wires/ap
    assert ap_file.sum() >= 200
    assert (ap_rows[ap_file]).all() and out.loc[ap_file, "syndicated"].all()
    ap_stories = set(out.loc[ap_rows, "story_id"])
    assert len(ap_stories) >= 200
    # AP stories found again in another outlet's own file (measured: 1, an NBC copy of
    # the Independence Day rocket attack story, 88% of it inside AP's longer version)
    crossing = out[out["story_id"].isin(ap_stories) & ~ap_file]
    assert crossing["outlet"].nunique() >= 1 and len(crossing) >= 1
    assert crossing["syndicated"].all()
    # every row credited to AP is AP's file or a copy of one of its stories
    credited_elsewhere = out[ap_rows & ~ap_file]
    assert credited_elsewhere["story_id"].isin(set(out.loc[ap_file, "story_id"])).all()
    # rows repeated verbatim inside one outlet's file are duplicates of one story
    exact = out[out.duplicated(["outlet", "title", "text"]) & (out["text"].str.len() > 0)]
    assert exact["is_duplicate"].all()


@pytest.mark.corpora
@pytest.mark.slow
def test_reuters_exact_duplicates_agree_with_plain_hash(reuters_dir, monkeypatch):
    from analysis.paths import repo_path

    monkeypatch.syspath_prepend(str(repo_path()))
    from benchmarks.duplicates import reuters_articles

    df = reuters_articles(reuters_dir)
    out = find_duplicates(df, threshold=1.0, containment=None)
    body = df["text"]
    has = body.str.len() > 0
    # the plain count: identical raw bodies (short bodies together with their title)
    long = body.str.split().str.len() >= 50
    plain_key = body.where(long, df["title"] + "\x1f" + body)
    plain = df[has].assign(key=plain_key[has])
    plain_dups = int(plain["key"].duplicated().sum())
    ours = int(out["is_duplicate"].sum())
    assert plain_dups >= 150  # the corpus README counts about 280 repeated bodies
    # every plain duplicate is grouped with its first copy
    first = plain.groupby("key").head(1).set_index("key")["article_id"]
    same = (
        out.loc[plain.index, "story_id"].to_numpy()
        == out.set_index("article_id").loc[plain["key"].map(first), "story_id"].to_numpy()
    )
    assert same.all()
    # normalisation may merge more (measured 347 against 246), never fewer, and the
    # extra copies have the same words as their canonical body (case, spacing and
    # punctuation aside: "REUTER" and "Reuter", "don\"t" and "don't")
    assert plain_dups <= ours <= plain_dups * 1.6
    canon = out.set_index("article_id").loc[out["story_id"], "text"].to_numpy()
    dup = out["is_duplicate"].to_numpy()

    def words(t: str) -> list[str]:
        return re.findall(r"[^\W_]+", t.casefold())

    assert all(words(a) == words(b) for a, b in zip(canon[dup], body.to_numpy()[dup]))


@pytest.mark.corpora
@pytest.mark.slow
def test_trimmed_and_edited_copies_of_real_stories(ukraine_dir, monkeypatch):
    """60 real stories, one copy each (15 keep only their first 30-60%), among 600 others."""
    from analysis.paths import repo_path

    monkeypatch.syspath_prepend(str(repo_path()))
    from benchmarks.duplicates import pair_scores, truncated_copies

    df = truncated_copies(ukraine_dir / "data", stories=60, others=600)
    assert (df["source"] >= 0).sum() == 120 and df["truncated"].sum() == 15
    out = find_duplicates(df)
    # measured: recall 1.0 and precision 1.0 (before trimmed copies were matched by
    # their opening: recall 0.82, 11 of the 15 trimmed copies apart, precision 1.0)
    scores = pair_scores(out["story_id"], df["source"])
    assert scores["recall"] >= 0.97 and scores["precision"] >= 0.98, scores
    trimmed = df["truncated"].to_numpy()
    together = out.groupby(df["source"].to_numpy())["story_id"].nunique()
    assert (together[df.loc[trimmed, "source"]] == 1).sum() >= 14


def test_empty_table_and_bare_text_column():
    from analysis.schema import empty_articles

    out = find_duplicates(empty_articles())
    assert len(out) == 0 and str(out["is_duplicate"].dtype) == "boolean"
    bare = find_duplicates(pd.DataFrame({"text": [PLAIN, None, PLAIN]}))
    assert bare["is_duplicate"].tolist() == [False, False, True]
    assert bare["story_id"].notna().all()


def test_corpus_agency_found_by_name_and_tag(sample_articles):
    """The bundled corpus's invented agency is recognised without being listed anywhere."""
    from analysis.corpus.duplicates import find_duplicates as fd

    out = fd(sample_articles)
    agency = "Continental Wire Service"
    own = out[out["outlet"] == agency]
    mask = out["syndicated"].fillna(False).astype(bool) & out["wire"].eq(agency).fillna(
        False
    ).astype(bool)
    copies = out[mask]
    assert not own["syndicated"].any() and not own["is_duplicate"].any()
    assert len(copies) >= 12  # the corpus holds 16 lightly edited copies of 9 wire stories
    assert copies["is_duplicate"].all()
    assert set(copies["story_id"]) <= set(own["article_id"])
    assert copies["outlet"].nunique() == 4


def test_local_agencies_only_agency_names():
    from analysis.corpus.duplicates import local_agencies

    found = local_agencies(
        ["Baltic News Agency", "The Daily Wire", "Harbor City Tribune", "Reuters", None]
    )
    assert found["bna"] == "Baltic News Agency" and found["baltic"] == "Baltic News Agency"
    assert "harborcitytribune" not in found and "reuters" not in found


def test_kept_features_give_the_same_groups_and_only_new_articles_are_read(
    sample_articles, tmp_path, monkeypatch, caplog
):
    import analysis.corpus.duplicates as dup

    articles = sample_articles.reset_index(drop=True)
    reference = find_duplicates(articles)
    assert reference["is_duplicate"].any()  # the bundled corpus has copies to find

    read = []
    real = dup._features

    def counting(texts, titles, **options):
        read.append(len(texts))
        return real(texts, titles, **options)

    head = find_duplicates(articles.iloc[:30])
    monkeypatch.setattr(dup, "_features", counting)
    first = find_duplicates(articles.iloc[:30], cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first, head)
    assert read == [30] and (tmp_path / dup.FEATURES_CACHE).exists()

    read.clear()
    again = find_duplicates(articles, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(again, reference)
    assert read == [len(articles) - 30]

    # an edited body is read again; other options ignore the kept features
    edited = articles.copy()
    edited.loc[3, "text"] = edited.loc[3, "text"] + " A late paragraph was added."
    read.clear()
    pd.testing.assert_frame_equal(
        find_duplicates(edited, cache_dir=tmp_path), find_duplicates(edited)
    )
    assert read[0] == 1
    read.clear()
    pd.testing.assert_frame_equal(
        find_duplicates(edited, cache_dir=tmp_path, num_perm=64),
        find_duplicates(edited, num_perm=64),
    )
    assert read[0] == len(edited)

    # a damaged file is reported and computed again, never trusted
    (tmp_path / dup.FEATURES_CACHE).write_bytes(b"not parquet")
    with caplog.at_level("WARNING", logger="analysis.corpus.duplicates"):
        pd.testing.assert_frame_equal(find_duplicates(articles, cache_dir=tmp_path), reference)
    assert "unreadable" in caplog.text


def test_kept_features_with_odd_values_and_a_foreign_file(sample_articles, tmp_path, caplog):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import analysis.corpus.duplicates as dup

    articles = sample_articles.reset_index(drop=True).astype({"title": object, "text": object})
    articles.loc[2, "title"] = 5  # a number where text is expected
    articles.loc[4, "text"] = None
    reference = find_duplicates(articles)
    pd.testing.assert_frame_equal(find_duplicates(articles, cache_dir=tmp_path), reference)
    # a file with the right options but another layout is reported, not trusted
    path = tmp_path / dup.FEATURES_CACHE
    meta = pq.read_schema(path).metadata
    pq.write_table(pa.table({"key": ["x"], "sig": [b"short"]}).replace_schema_metadata(meta), path)
    with caplog.at_level("WARNING", logger="analysis.corpus.duplicates"):
        pd.testing.assert_frame_equal(find_duplicates(articles, cache_dir=tmp_path), reference)
    assert "unreadable" in caplog.text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_band_layout_is_datasketchs_and_is_read_back_from_the_data_folder(threshold):
    from datasketch import MinHashLSH

    from analysis.corpus.minhash import _band_layout

    index = MinHashLSH(threshold=threshold, num_perm=128)
    assert _band_layout(threshold, 128) == (index.b, index.r)
    assert _band_layout(threshold, 128) == (index.b, index.r)  # now from the kept file


def test_kept_features_of_other_articles_stay_unless_pruned(sample_articles, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    import analysis.corpus.duplicates as dup

    articles = sample_articles.reset_index(drop=True)
    path = tmp_path / dup.FEATURES_CACHE
    find_duplicates(articles, cache_dir=tmp_path)
    everyone = set(pq.read_table(path).column("key").to_pylist())
    assert len(everyone) == len(articles)

    # a call on a selection keeps the others' features: the whole table reads nothing again
    find_duplicates(articles.iloc[:10], cache_dir=tmp_path)
    assert set(pq.read_table(path).column("key").to_pylist()) == everyone
    read = []
    real = dup._features

    def counting(texts, titles, **options):
        read.append(len(texts))
        return real(texts, titles, **options)

    monkeypatch.setattr(dup, "_features", counting)
    find_duplicates(articles, cache_dir=tmp_path)
    assert read == [0]

    # an edited article's old entry goes; pruning keeps only the rows given
    edited = articles.iloc[:10].copy()
    edited.loc[0, "text"] = str(edited.loc[0, "text"]) + " A late paragraph was added."
    find_duplicates(edited, cache_dir=tmp_path)
    keys = set(pq.read_table(path).column("key").to_pylist())
    assert len(keys) == len(articles) and keys != everyone
    find_duplicates(edited, cache_dir=tmp_path, cache_prune=True)
    assert len(pq.read_table(path).column("key").to_pylist()) == 10
