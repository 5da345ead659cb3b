"""News agencies: their names, and the credits to them in URLs and texts."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Canonical agency name -> spellings seen in outlet names, credits and URLs
#: (compared after lower-casing and dropping everything but letters and digits).
WIRE_AGENCIES: dict[str, tuple[str, ...]] = {
    "AP": ("ap", "associated press", "the associated press", "apnews", "apnews.com"),
    "Reuters": ("reuters", "thomson reuters", "reuters.com"),
    "AFP": ("afp", "agence france-presse", "agence france presse", "afp.com"),
    "PA": ("pa", "pa media", "press association"),
    "dpa": ("dpa", "deutsche presse-agentur"),
    "UPI": ("upi", "united press international"),
    "ANSA": ("ansa",),
    "EFE": ("efe",),
    "Xinhua": ("xinhua",),
    "TASS": ("tass",),
    "Interfax": ("interfax",),
    "Kyodo": ("kyodo", "kyodo news"),
    "Yonhap": ("yonhap",),
}


def _squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


_WIRE_LOOKUP: dict[str, str] = {
    _squash(alias): canon for canon, aliases in WIRE_AGENCIES.items() for alias in (canon, *aliases)
}


def wire_name(name: object) -> str | None:
    """
    Return the canonical agency name for an outlet or credit, or None if it is no agency.

    Examples
    --------
    >>> wire_name("Associated Press"), wire_name("AssociatedPress"), wire_name("BBC")
    ('AP', 'AP', None)
    """
    if not isinstance(name, str) or not name.strip():
        return None
    return _WIRE_LOOKUP.get(_squash(name))


_AGENCY_RE = "|".join(
    re.escape(a) for a in ("AP", "Reuters", "AFP", "dpa", "UPI", "PA", "ANSA", "EFE")
)
_URL_WIRE = re.compile(r"/wires?/(ap|reuters|afp|pa|dpa|upi)(?:/|$)", re.I)
_URL_HOST = re.compile(
    r"^(?:https?://)?(?:www\.)?(apnews\.com|reuters\.com|afp\.com)(?:[/:]|$)", re.I
)
_OPENING = re.compile(r"\((" + _AGENCY_RE + r")\)\s*[-\u2013\u2014]")
_REUTERS_SIGNOFF = re.compile(
    r"\b(?:Additional )?(?:reporting|writing) by [^;\n]{2,120}[;,] *(?:editing|writing) by ", re.I
)
_AP_CREDIT = re.compile(
    r"\bAssociated Press (?:writers?|reporters?|journalists?)\b[^\n]{0,200}\bcontributed|"
    r"\bCopyright \d{4} The Associated Press\b|^By [A-Z][\w.' -]{2,60}\bAssociated Press\b",
    re.M,
)


def detect_wire(text: object, url: object = None) -> str | None:
    """
    Name the news agency a text was taken from, when its URL or wording says so.

    Looks at agency wire pages in the URL (``/wires/ap/``, ``apnews.com``), the
    agency tag of a dateline opening (``KYIV, Ukraine (AP) —``, ``(Reuters) -``),
    Reuters sign-offs (``Reporting by ...; Editing by ...``) and AP credits
    (``Associated Press writers ... contributed``). A passing mention such as
    "told Reuters" is not a credit.

    Parameters
    ----------
    text : str
        Article body.
    url : str, optional
        Article URL.

    Returns
    -------
    str or None
        Canonical agency name (see ``WIRE_AGENCIES``), or None.

    Examples
    --------
    >>> detect_wire("KYIV, Ukraine (AP) — Shelling hit the city.")
    'AP'
    >>> detect_wire("Talks resumed.", "https://www.dailymail.co.uk/wires/reuters/article-1/x.html")
    'Reuters'
    >>> detect_wire("An official told Reuters the talks resumed.") is None
    True
    """
    if isinstance(url, str) and url:
        m = _URL_WIRE.search(url) or _URL_HOST.search(url)
        if m:
            return wire_name(m.group(1))
    if not isinstance(text, str) or not text:
        return None
    m = _OPENING.search(text[:400])
    if m:
        return wire_name(m.group(1))
    tail = text[-600:]
    # literal checks first: each pattern needs these words (most texts have neither)
    low = tail.lower()
    if ("reporting by " in low or "writing by " in low) and _REUTERS_SIGNOFF.search(tail):
        return "Reuters"
    head = text[:200]
    if ("Associated Press" in head and _AP_CREDIT.search(head)) or (
        "Associated Press" in tail and _AP_CREDIT.search(tail)
    ):
        return "AP"
    return None


_AGENCY_WORDS = re.compile(
    r"\b(?:wire|wires|newswire|news ?agency|press ?agency|news ?service|wire ?service|agence|agencia)\b",
    re.I,
)
_GENERIC_WORDS = {"the", "of", "and", "news", "service", "agency", "press"}
_TAG_OPENING = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)\s*[-\u2013\u2014]")


def local_agencies(outlets: Iterable[object]) -> dict[str, str]:
    """
    Find the news agencies among a corpus's own outlets, beyond the well-known ones.

    An outlet whose name says it is a wire or agency ("Continental Wire Service",
    "Baltic News Agency") is an agency. Returns a lookup from its spellings
    (squashed name, the name without a generic last word, its initials) to the
    outlet name, so credits such as "CONTINENTAL WIRE/Photographer" or a dateline
    tag "(CWS) -" name it.

    Examples
    --------
    >>> sorted(local_agencies(["Continental Wire Service", "Daily Bugle"]).items())
    [('continentalwire', 'Continental Wire Service'), ('continentalwireservice', 'Continental Wire Service'), ('cws', 'Continental Wire Service')]
    """
    out: dict[str, str] = {}
    for name in {o for o in outlets if isinstance(o, str) and o.strip()}:
        if wire_name(name) or not _AGENCY_WORDS.search(name):
            continue
        words = re.findall(r"[A-Za-z0-9]+", name)
        if words and words[0].lower() == "the":
            words = words[1:]
        trimmed = list(words)
        while len(trimmed) > 1 and trimmed[-1].lower() in _GENERIC_WORDS:
            trimmed.pop()
        for alias in (name, " ".join(trimmed), "".join(w[0] for w in words)):
            if len(_squash(alias)) >= 2:
                out.setdefault(_squash(alias), name)
    return out


def _local_opening(text: object, local: dict[str, str]) -> str | None:
    """The corpus agency named by a dateline tag such as ``KYIV, March 7 (CWS) -``."""
    if not local or not isinstance(text, str):
        return None
    m = _TAG_OPENING.search(text[:300])
    return local.get(_squash(m.group(1))) if m else None
