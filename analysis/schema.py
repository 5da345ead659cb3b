"""The canonical articles table: one schema, defined once.

Every loader produces this table, every helper consumes it. Later stages add
columns (``story_id``, sentiment, ...); they are declared here too so that their
names and meanings live in one place. Unknown extra columns are allowed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from analysis.errors import SchemaError


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    required: bool
    meaning: str


#: Timestamps are stored in UTC; a date with no time of day is midnight UTC.
TIMESTAMP = "datetime64[ns, UTC]"

SCHEMA: tuple[Column, ...] = (
    Column("article_id", "string", True, "Stable id: hash of outlet, url, title and text."),
    Column(
        "outlet", "string", True, "Who published it (column, manifest, page, file or folder name)."
    ),
    Column("title", "string", True, "Headline; empty string when unknown."),
    Column("text", "string", True, "Clean article body, page chrome removed."),
    Column("published", TIMESTAMP, True, "Publication time in UTC; NaT when unknown."),
    Column(
        "date_source",
        "string",
        True,
        "Where `published` came from: manifest, column, html, text, none.",
    ),
    Column("url", "string", True, "Canonical URL when known."),
    Column("source_path", "string", True, "File the row was read from."),
    Column(
        "source_row",
        "Int64",
        True,
        "Row (or line) number inside that file, 0-based; 0 for one-article files.",
    ),
    Column("byline", "string", True, "Author(s) as printed."),
    Column("dateline", "string", True, "Place in the dateline ('LVIV:' gives 'Lviv')."),
    Column("section", "string", True, "Section of the outlet (World, Politics...)."),
    Column("language", "string", True, "ISO 639-1 code; missing until detected."),
    Column("n_words", "Int64", True, "Words in `text` (whitespace tokens)."),
    # Added by later stages; optional.
    Column(
        "publisher", "string", False, "Company behind the outlet (from copyright lines, manifests)."
    ),
    Column("captions", "string", False, "Photo captions with credits, newline-separated."),
    Column("wire", "string", False, "Wire agency credited (Reuters, AP, AFP...), when detectable."),
    Column("story_id", "string", False, "Group of exact or near-duplicate copies of one story."),
    Column(
        "is_duplicate", "boolean", False, "True for every copy but the canonical one of a story."
    ),
    Column("syndicated", "boolean", False, "True for a wire story republished by another outlet."),
    Column(
        "has_text",
        "boolean",
        False,
        "False for a metadata-only article (title, date and link, no body, as in Media Cloud "
        "and GDELT lists): it counts for volume and titles, text measures leave it out.",
    ),
)

COLUMNS: dict[str, Column] = {c.name: c for c in SCHEMA}
REQUIRED: list[str] = [c.name for c in SCHEMA if c.required]


def article_id(outlet: str, url: str, title: str, text: str) -> str:
    """
    Return the stable id of an article, derived from its source and content.

    Examples
    --------
    >>> article_id("CNA", "", "Talks", "Body.")
    '9819476f79f67172'
    """
    key = "\x1f".join([outlet or "", url or "", title or "", text or ""])
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def text_present(articles: pd.DataFrame) -> pd.Series:
    """
    Return, per row, whether the article has a body (the ``has_text`` column).

    Read from ``has_text`` when the table has it, else from ``text`` itself
    (blank means metadata-only), so a table read without that column gives the
    same answer.

    Examples
    --------
    >>> text_present(pd.DataFrame({"text": ["Talks stall.", "", None]})).tolist()
    [True, False, False]
    """
    if "has_text" in articles.columns:
        return articles["has_text"].fillna(True).astype(bool)
    # element by element: a text pandas cannot turn into its string type (lone
    # surrogates from a badly decoded file) still has a body
    present = [isinstance(t, str) and not t.isspace() and t != "" for t in articles["text"]]
    return pd.Series(present, index=articles.index, dtype=bool)


def with_text(articles: pd.DataFrame) -> pd.DataFrame:
    """
    Return the articles a text measure reads: metadata-only rows left out.

    Term counts, keyness, keyword in context, dictionaries, tone and quotes all
    select their rows here; volume and title-level counts keep every article.
    The table itself comes back when every row has a body.

    Examples
    --------
    >>> with_text(pd.DataFrame({"title": ["Talks", "Deal"], "text": ["Both met.", ""]}))["title"].tolist()
    ['Talks']
    """
    keep = text_present(articles)
    if bool(keep.all()):
        return articles
    return articles.loc[keep.to_numpy()]


def empty_articles() -> pd.DataFrame:
    """Return an empty table with every required column in its canonical dtype."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in SCHEMA if c.required})


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """
    Return a copy with required columns present and every known column in its dtype.

    Missing optional columns stay missing; missing required columns are added empty.
    """
    out = df.copy()
    for col in SCHEMA:
        if col.name not in out.columns:
            if not col.required:
                continue
            out[col.name] = pd.Series(
                pd.NA, index=out.index, dtype=col.dtype if col.dtype != TIMESTAMP else "object"
            )
        s = out[col.name]
        if col.dtype == TIMESTAMP:
            out[col.name] = pd.to_datetime(s, utc=True, errors="coerce").astype(TIMESTAMP)
        elif str(s.dtype) != col.dtype:
            out[col.name] = s.astype(col.dtype)
    for name in ("title", "text"):
        out[name] = out[name].fillna("")
    extras = [c for c in out.columns if c not in COLUMNS]
    return out[[c.name for c in SCHEMA if c.name in out.columns] + extras]


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """
    Check that ``df`` is a canonical articles table and return it unchanged.

    Raises
    ------
    SchemaError
        Naming the first wrong column and why (missing, wrong dtype, nulls in
        ``article_id``, duplicate ids).
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError("<table>", f"expected a pandas DataFrame, got {type(df).__name__}")
    for col in SCHEMA:
        if col.name not in df.columns:
            if col.required:
                raise SchemaError(col.name, "missing (required: " + col.meaning + ")")
            continue
        actual = str(df[col.name].dtype)
        if col.dtype == TIMESTAMP:
            if not isinstance(df[col.name].dtype, pd.DatetimeTZDtype):
                raise SchemaError(
                    col.name, f"dtype is {actual}; expected timezone-aware timestamps (UTC)"
                )
        elif col.dtype == "string":
            if not pd.api.types.is_string_dtype(df[col.name].dtype):
                raise SchemaError(col.name, f"dtype is {actual}; expected strings")
        elif col.dtype in ("Int64", "boolean"):
            kind = "iu" if col.dtype == "Int64" else "b"
            if df[col.name].dtype.kind not in kind:
                raise SchemaError(col.name, f"dtype is {actual}; expected {col.dtype}")
    ids = df["article_id"]
    if ids.isna().any():
        raise SchemaError("article_id", f"{int(ids.isna().sum())} rows have no id")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise SchemaError("article_id", f"{len(dup)} duplicate ids, e.g. {dup.iloc[0]!r}")
    return df


def describe_schema() -> pd.DataFrame:
    """Return the schema as a table (column, dtype, required, meaning) for docs and notebooks."""
    return pd.DataFrame([c.__dict__ for c in SCHEMA])
