"""Article lists from news databases: Media Cloud story lists and GDELT article lists.

These exports are tables of links: a title, a date, a URL and the outlet, usually
no body. They are told apart by their columns (never by the file's name), and
their columns are renamed to the canonical fields before the ordinary column
mapping of :mod:`analysis.readers.tables` runs:

- **Media Cloud** story lists, older layout: ``stories_id, publish_date, title,
  url, language, media_id, media_name, media_url`` (more columns are kept too);
- **Media Cloud** search exports, newer layout: ``id, indexed_date, language,
  media_name, media_url, publish_date, title, url``;
- **GDELT** DOC API article lists (``mode=artlist``), CSV or JSON (the JSON holds
  an ``articles`` array): ``url, url_mobile, title, seendate, socialimage,
  domain, language, sourcecountry``. ``seendate`` is compact ISO 8601
  (``20220301T120000Z``) and ``language`` a name (``English``), made ``en``.

The outlet is ``media_name`` (Media Cloud) or ``domain`` (GDELT); the export's
own ids are kept as metadata columns (``stories_id``, ``media_id``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.text.language import language_of_name


@dataclass(frozen=True)
class ArticleList:
    """One export layout: the columns that tell it, and how its columns are named."""

    name: str
    #: normalised column names that must all be present
    needs: frozenset[str]
    #: normalised source name -> canonical field
    fields: dict[str, str]
    #: normalised source name -> name of the metadata column it is kept as
    keep: dict[str, str] = field(default_factory=dict)


def _norm(name: object) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name).strip().lower())


LISTS: tuple[ArticleList, ...] = (
    ArticleList(
        "Media Cloud story list",
        frozenset({"storiesid", "mediaid", "medianame", "publishdate", "url"}),
        {"publishdate": "published", "medianame": "outlet", "title": "title", "url": "url"},
        {"storiesid": "stories_id", "mediaid": "media_id", "mediaurl": "media_url"},
    ),
    ArticleList(
        "Media Cloud search export",
        frozenset({"id", "indexeddate", "medianame", "publishdate", "url"}),
        {"publishdate": "published", "medianame": "outlet", "title": "title", "url": "url"},
        {"id": "stories_id", "indexeddate": "indexed_date", "mediaurl": "media_url"},
    ),
    ArticleList(
        "GDELT article list",
        frozenset({"url", "seendate", "domain"}),
        {"seendate": "published", "domain": "outlet", "title": "title", "url": "url"},
        {
            "urlmobile": "url_mobile",
            "socialimage": "social_image",
            "sourcecountry": "source_country",
        },
    ),
)


def recognise(columns: list[str]) -> ArticleList | None:
    """
    Return the export layout a table's columns belong to, or None.

    Examples
    --------
    >>> recognise(["url", "url_mobile", "title", "seendate", "domain", "language"]).name
    'GDELT article list'
    >>> recognise(["title", "text"]) is None
    True
    """
    have = {_norm(c) for c in columns}
    return next((kind for kind in LISTS if kind.needs <= have), None)


def language_codes(values: pd.Series) -> pd.Series:
    """
    Turn language names (``English``) into ISO 639-1 codes; codes stay, others become NA.

    Examples
    --------
    >>> language_codes(pd.Series(["English", "fr", "Klingon", None])).tolist()
    ['en', 'fr', <NA>, <NA>]
    """
    s = values.astype("string").str.strip().str.lower()
    named = s.map(language_of_name, na_action="ignore").astype("string")
    coded = s.where(s.str.fullmatch(r"[a-z]{2}").fillna(False))
    return named.fillna(coded)


def as_fields(raw: pd.DataFrame, kind: ArticleList) -> tuple[pd.DataFrame, dict[str, str]]:
    """
    Rename an export's columns to the canonical fields.

    Returns the renamed table and the metadata columns to give their export
    names once the table is read (normalised name -> kept name).
    """
    rename = {}
    for col in raw.columns:
        canon = kind.fields.get(_norm(col))
        if canon:
            rename[col] = canon
    out = raw.rename(columns=rename)
    if "language" in out.columns:
        out = out.assign(language=language_codes(out["language"]))
    return out, dict(kind.keep)
