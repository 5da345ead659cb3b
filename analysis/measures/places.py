"""
Where the news is: place mentions resolved to places, countries and coordinates, and counted.

:func:`resolve_places` reads a table of place mentions (one row a mention, as
:func:`analysis.entities` gives them, or any table with ``article_id`` and
``text``) and looks each one up in the gazetteer (:mod:`analysis.measures.gazetteer`).
A name several places share (Paris, Georgia, Springfield, Odessa) is read by the
article it stands in: the place inside a region or country the article names
elsewhere wins, then a country or region (not a town) in a country bordering
one the article names, then the reading listed in
``analysis/data/place_names.txt``, then a country before a region before a
city, then the largest population. A town named like a country (Jamaica,
Lebanon), or another place of a name with a listed reading (Washington, Tyne and
Wear), is read so only when the article names its state or region. :func:`place_counts` counts the resolved
mentions per group as mentions per 1,000 articles, per place or per country.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.engine import gather
from analysis.errors import ParameterError, SchemaError
from analysis.measures import wordtable as wt
from analysis.measures.gazetteer import (
    KIND_ORDER,
    NOT_FOUND,
    Gazetteer,
    gazetteer,
    name_key,
)
from analysis.options import Copies, unique_copies

log = logging.getLogger(__name__)

#: Why the chosen place won, tier by tier (see :func:`resolve_places`).
REASONS = (
    "article region",
    "article country",
    "neighbouring country",
    "listed reading",
    "kind",
    "largest population",
)

#: Columns :func:`resolve_places` adds to the mentions.
RESOLVED = [
    "place",
    "kind",
    "country_code",
    "country",
    "latitude",
    "longitude",
    "population",
    "matched",
    "resolved_by",
    "candidates",
]

UNRESOLVED = "(unresolved)"
NO_COUNTRY = "(no country)"


def resolve_places(mentions: Any, *, aliases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """
    Resolve place mentions to places with a kind, a country, coordinates and a population.

    Parameters
    ----------
    mentions : DataFrame
        One row a mention with ``article_id`` and ``text`` (the words of the
        mention); with a ``type`` column (:func:`analysis.entities`) only the rows of
        type ``PLACE`` are read. Other columns are kept.
    aliases : mapping of str to str, optional
        More names, ``{"Big Apple": "New York City", "Springfield": "Springfield (US-IL)"}``:
        each mention text is read as the gazetteer place named, before anything else;
        ``"(CC)"`` pins the country, ``"(CC-A1)"`` the first-level region.

    Returns
    -------
    DataFrame
        The mentions with ``place, kind (country, region, city, continent),
        country_code, country, latitude, longitude, population`` and how each was
        found: ``matched`` (``name``, ``spelling`` from the bundled list, ``alias``,
        ``alternate name`` from GeoNames) and ``resolved_by`` (``only candidate``,
        ``alias``, one of :data:`REASONS` when several places share the name, or
        ``unresolved``), with the number of ``candidates``. Unresolved mentions are
        kept, with no place; ``attrs["places"]`` counts ``mentions``, ``resolved`` and
        ``unresolved``.

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "a", "b"], "text": ["Paris", "Texas", "Kiev"]})
    >>> resolve_places(m)[["text", "place", "country_code", "resolved_by"]].values.tolist()
    [['Paris', 'Paris', 'US', 'article region'], ['Texas', 'Texas', 'US', 'only candidate'], ['Kiev', 'Kyiv', 'UA', 'only candidate']]
    """
    table = gather(mentions, list(getattr(mentions, "columns", [])))
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"resolve_places: expected a DataFrame, got {type(table).__name__}")
    missing = [c for c in ("article_id", "text") if c not in table.columns]
    if missing:
        raise SchemaError(missing[0], "resolve_places needs the mentions' article_id and text")
    if "type" in table.columns:
        table = table[table["type"].astype("string").str.upper().eq("PLACE").fillna(False)]
    table = table.drop(columns=[c for c in RESOLVED if c in table.columns]).reset_index(drop=True)
    gaz = gazetteer()
    pinned = _aliases(aliases, gaz)
    found = [_candidates(text, gaz, pinned) for text in table["text"].tolist()]
    chosen: list[tuple[int | None, str]] = [(None, "unresolved")] * len(table)
    articles = table["article_id"].to_numpy()
    for _, rows in pd.Series(range(len(table))).groupby(articles, dropna=False):
        _resolve_article(rows.tolist(), found, chosen, gaz)
    out = _with_places(table, found, chosen, gaz)
    resolved = int(out["place"].notna().sum())
    out.attrs["places"] = {
        "mentions": len(out),
        "resolved": resolved,
        "unresolved": len(out) - resolved,
    }
    if len(out) > resolved:
        log.info("resolve_places: %d of %d mentions name no known place", len(out) - resolved,
                 len(out))  # fmt: skip
    return out


def _aliases(aliases: Mapping[str, str] | None, gaz: Gazetteer) -> dict[str, int]:
    if aliases is None:
        return {}
    if not isinstance(aliases, Mapping):
        raise ParameterError(
            f"resolve_places: aliases must map a name to a place, got {type(aliases).__name__}"
        )
    out = {}
    for text, target in aliases.items():
        row = gaz.find(str(target))
        if row is None:
            raise ParameterError(f"resolve_places: aliases[{text!r}]: {target!r} {NOT_FOUND}")
        out[name_key(text)] = row
    return out


@functools.lru_cache(maxsize=65536)
def _lookup(key: str) -> tuple[tuple[int, ...], frozenset[int], str | None]:
    gaz = gazetteer()
    named, listed = gaz.names.get(key, ()), gaz.spellings.get(key, ())
    rows = tuple(dict.fromkeys(named + listed))
    if rows:
        return rows, frozenset(listed), "name" if named else "spelling"
    rows = gaz.alternates.get(key, ())
    return rows, frozenset(), "alternate name" if rows else None


def _candidates(text: object, gaz: Gazetteer, pinned: Mapping[str, int]):
    key = name_key(text)
    if key in pinned:
        return (pinned[key],), frozenset(), "alias"
    return _lookup(key)


def _resolve_article(rows: list[int], found: list, chosen: list, gaz: Gazetteer) -> None:
    """
    Choose a place for every mention of one article, by the other places it names.

    The names only one place has set the article's countries and regions; each
    shared name is read by them. Each shared name is then read again with the
    readings of the article's other shared names too; the new reading is kept when
    the first was by kind alone (Florida and Georgia together are both American) or
    when the new one lies in a region the article names (Springfield beside
    Boston); a name read by population keeps it otherwise (Moscow stays in
    Russia beside Washington).
    """
    places = gaz.places
    sure, unsure = [], []
    for i in rows:
        candidates, _, how = found[i]
        if len(candidates) == 1:
            chosen[i] = (candidates[0], "alias" if how == "alias" else "only candidate")
            sure.append(candidates[0])
        elif candidates:
            unsure.append(i)
    if not unsure:
        return
    base = _context(sure, places)
    first = {i: _choose(found[i], base, gaz) for i in unsure}
    for i in unsure:
        others = [first[j][0] for j in unsure if j != i]
        again = _choose(found[i], _context(sure + others, places), gaz) if others else first[i]
        strong = first[i][1] == "kind" or again[1] == "article region"
        chosen[i] = again if strong else first[i]


@functools.lru_cache(maxsize=1)
def _facts() -> tuple[list, list, list, list]:
    """Per gazetteer row: country code, first-level codes, kind, population (fast to index)."""
    places = gazetteer().places
    return (
        places["country_code"].tolist(),
        [tuple(a.split()) for a in places["admin1"].tolist()],
        places["kind"].tolist(),
        places["population"].astype("int64").tolist(),
    )


def _context(rows: list[int], places: pd.DataFrame) -> tuple[set, set, set]:
    """The countries, the regions, and the regions named as such, of these places."""
    country, admin1, kind, _ = _facts()
    codes, regions, named = set(), set(), set()
    for row in rows:
        code = country[row]
        if code:
            codes.add(code)
            regions.update((code, a) for a in admin1[row])
            if kind[row] == "region":
                named.update((code, a) for a in admin1[row])
    return codes, regions, named


def _choose(found, context, gaz: Gazetteer) -> tuple[int, str]:
    candidates, listed, _ = found
    codes, regions, named = context
    near = set().union(*(gaz.neighbours.get(c, frozenset()) for c in codes)) - codes
    kinds = _facts()[2]
    # a country's name (Jamaica, Lebanon) is read as a town of that name, and a name
    # with a listed reading (Washington, Odessa) as another place of that name, only
    # when the article names that place's state or region: a city nearby (a London
    # dateline beside Washington, Tyne and Wear) is no evidence against the reading
    country_name = any(kinds[row] == "country" for row in candidates)
    scored = sorted(
        (
            (_score(row, listed, codes, regions, named, near, country_name), row)
            for row in candidates
        ),
        reverse=True,
    )
    (best, row), (second, _) = scored[0], scored[1]
    tier = next((t for t, (a, b) in enumerate(zip(best, second)) if a != b), len(REASONS) - 1)
    return row, REASONS[tier]


def _score(row, listed, codes, regions, named, near, country_name) -> tuple:
    country, admin1, kind, population = _facts()
    code = country[row]
    strict = (country_name and kind[row] == "city") or (bool(listed) and row not in listed)
    return (
        kind[row] != "country"
        and any((code, a) in (named if strict else regions) for a in admin1[row]),
        not strict and bool(code) and code in codes,
        kind[row] != "city" and bool(code) and code in near,
        row in listed,
        -KIND_ORDER[kind[row]],
        population[row],
    )


def _with_places(table: pd.DataFrame, found: list, chosen: list, gaz: Gazetteer) -> pd.DataFrame:
    full = gaz.places.reindex([-1 if row is None else row for row, _ in chosen])
    codes = full["country_code"].replace("", None)
    return table.assign(
        place=full["place"].to_numpy(),
        kind=full["kind"].to_numpy(),
        country_code=codes.to_numpy(),
        country=codes.map(gaz.countries).to_numpy(),
        latitude=full["latitude"].astype(float).to_numpy(),
        longitude=full["longitude"].astype(float).to_numpy(),
        population=full["population"].astype("Int64").to_numpy(),
        matched=[how for _, _, how in found],
        resolved_by=[reason for _, reason in chosen],
        candidates=np.array([len(c) for c, _, _ in found], dtype="int64"),
    )


def place_counts(
    resolved: pd.DataFrame,
    articles: Any,
    *,
    by: str | None = "outlet",
    freq: str | None = None,
    unit: Literal["place", "country"] = "place",
    top: int | None = None,
    copies: Copies = "all",
) -> pd.DataFrame:
    """
    Count resolved place mentions per group: mentions per 1,000 articles, with the article ids.

    Parameters
    ----------
    resolved : DataFrame
        Output of :func:`resolve_places`.
    articles : DataFrame or dask DataFrame
        The articles the mentions come from (``article_id``, the ``by`` column,
        ``published`` when ``freq`` is given): the denominators.
    by : str or None, default "outlet"
        Group column of ``articles``; None counts the whole table.
    freq : {"D", "W", "M"} or None, default None
        Count per period of ``published`` too.
    unit : {"place", "country"}, default "place"
        Count each place, or add up the mentions of every place in one country
        (drawn at the country's point).
    top : int or None, default None
        Keep the places with most mentions per group (and period).
    copies : {"unique", "all"}, default "all"
        ``"unique"`` counts one copy per story (the articles and their mentions).

    Returns
    -------
    DataFrame
        ``[by, period, place, kind, country_code, country, latitude, longitude,
        mentions, articles, total, per_1000, article_ids]``: ``articles`` is the
        number of articles naming the place, ``total`` the articles of the group,
        ``per_1000`` mentions per 1,000 articles of the group, ``article_ids`` the
        sorted ids to read. Unresolved mentions are one row ``(unresolved)`` per
        group (no coordinates), never dropped; with ``unit="country"`` continents
        are one row ``(no country)``.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "X"]})
    >>> m = pd.DataFrame({"article_id": ["a", "a", "b"], "text": ["Kiev", "Kyiv", "Lviv"]})
    >>> place_counts(resolve_places(m), arts)[["place", "mentions", "per_1000"]].values.tolist()
    [['Kyiv', 2, 1000.0], ['Lviv', 1, 500.0]]
    """
    unique = unique_copies(copies)
    if unit not in ("place", "country"):
        raise ParameterError(f"place_counts: unit={unit!r}; expected 'place' or 'country'")
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ParameterError(f"place_counts: top={top!r}; expected a positive whole number")
    if not isinstance(resolved, pd.DataFrame) or "place" not in resolved.columns:
        raise ParameterError("place_counts: pass the table resolve_places returned")
    if freq is not None and freq not in wt.FREQS:
        raise ParameterError(f"place_counts: freq={freq!r}; expected one of {sorted(wt.FREQS)}")
    need = ["article_id"] + ([by] if by else []) + (["published"] if freq else [])
    table = gather(articles, [*need, "is_duplicate", "story_id"], stories=unique)
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise SchemaError(missing[0], "place_counts: the articles table has no such column")
    if unique:
        from analysis.corpus.duplicates import dedupe

        table = dedupe(table)
    keys = _group_keys(table, by=by, freq=freq)
    groups = pd.DataFrame({"_key": table["article_id"].astype("string").to_numpy(), **keys})
    totals = groups.groupby(list(keys), dropna=False).size().rename("total")
    found = resolved.drop(columns=[k for k in keys if k in resolved.columns])
    found = found.assign(_key=found["article_id"].astype("string")).merge(groups, on="_key")
    if len(found) < len(resolved):
        log.info(
            "place_counts: %d mentions are of articles not counted", len(resolved) - len(found)
        )
    found = _as_unit(found, unit)
    columns = ["place", "kind", "country_code", "country", "latitude", "longitude"]
    grouped = found.groupby([*keys, *columns], dropna=False, sort=False)["article_id"]
    counted = grouped.agg(mentions="size", articles="nunique").reset_index()
    counted = counted.assign(article_ids=[sorted(set(ids), key=str) for _, ids in grouped])
    counted = counted.merge(totals.reset_index(), on=list(keys), how="left")
    counted = counted.assign(per_1000=1000.0 * counted["mentions"] / counted["total"])
    counted = counted.sort_values(
        [*keys, "mentions", "place"], ascending=[True] * len(keys) + [False, True], kind="stable"
    )
    if top is not None:
        special = counted["place"].isin([UNRESOLVED, NO_COUNTRY])
        ranked = counted[~special].groupby(list(keys), dropna=False).head(top)
        counted = counted[special | counted.index.isin(ranked.index)]
    order = [*keys, *columns, "mentions", "articles", "total", "per_1000", "article_ids"]
    out = counted[order].reset_index(drop=True)
    out = out.astype({"mentions": "int64", "articles": "int64", "total": "int64"})
    if not by and not freq:
        out = out.drop(columns="_all")
    out.attrs["place_counts"] = {"by": by, "freq": freq, "unit": unit, "copies": copies}
    return out


def _group_keys(table: pd.DataFrame, *, by: str | None, freq: str | None) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    if by:
        keys[by] = table[by].astype("string").fillna("(none)").to_numpy()
    if freq:
        keys["period"] = wt.add_period(table, freq, where="place_counts")["period"].to_numpy()
    return keys or {"_all": np.zeros(len(table), dtype="int8")}


def _as_unit(found: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Name unresolved mentions, and at country level put each mention at its country."""
    unresolved = found["place"].isna()
    found = found.assign(
        place=found["place"].where(~unresolved, UNRESOLVED),
        kind=found["kind"].where(~unresolved, "unresolved"),
    )
    if unit == "place":
        return found
    countries = gazetteer().places.query("kind == 'country'").set_index("country_code")
    code = found["country_code"]
    has = code.notna()
    return found.assign(
        place=np.where(has, found["country"], np.where(unresolved, UNRESOLVED, NO_COUNTRY)),
        kind=np.where(has, "country", found["kind"]),
        latitude=code.map(countries["latitude"]).to_numpy(),
        longitude=code.map(countries["longitude"]).to_numpy(),
    )
