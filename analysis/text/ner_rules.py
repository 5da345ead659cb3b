"""The shape of a name in news text: where a recogniser's span should start, stop or split.

These rules read only the text; :mod:`analysis.text.ner` applies them to the spans of
its statistical recogniser:

- a name does not hold a spaced dash, a bracket, a comma, a semicolon or a slash
  ("SOCCER - KLINSMANN", "Natalya Shikolen ( Belarus )"): the span splits there;
- nor a number or a score ("Millwall 2 Burnley 1", "Kansas City Royals 4-0"): the
  words between the numbers are names of their own, the numbers are dropped; but one
  small number closing the name of a thing stays ("Nord Stream 2"), and so do ordinals
  ("36th Marine Brigade");
- a month does not start a name ("August Chicago NAPM"), and a heading in capitals
  splits at its verbs and prepositions ("MARLINS BEAT REDS", "KANSAS CITY AT CHICAGO");
- a heading in capitals ("SOCCER", "SCHEDULE") is not a name;
- the place of a dateline ("DUBLIN 1996-08-31", "KYIV, March 3 (Reuters) -") is a place;
- in a line of sports results ("Tranmere 2 Portsmouth 1", "Chelsea v Arsenal", a league
  table row "Becej 4 2 1 1 5 7 7"), the names are teams: organisations, even when they
  are the names of towns.
"""

from __future__ import annotations

import re

#: a token that ends a name: punctuation that names do not hold
BREAKS = frozenset({"-", "–", "—", "(", ")", "[", "]", ",", ";", ":", "/", "|", '"'})
#: "Chelsea v Arsenal" (written in lower case: "Vladimir V. Putin" is one name)
VERSUS = frozenset({"v", "vs", "v.", "vs."})
#: what follows a company's or a person's name after a comma: "Acme, Inc.", "Al Unser, Jr."
SUFFIXES = frozenset("inc ltd co corp llc plc sa s.a ag nv n.v jr sr".split())
#: words of a heading in capitals that are not part of a name
HEADING_BREAKS = frozenset(
    """
    at in on for to from with after before over against beat beats beaten wins win won
    lose loses lost draw draws drew v vs leads lead says said results result standings
    """.split()
)
MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
#: words that head a section or a table of wire news, in capitals: not names
HEADINGS = frozenset(
    """
    soccer football cricket tennis golf baseball basketball athletics rugby boxing cycling
    swimming skiing hockey sailing rowing squash
    schedule results result standings scores summary preview verdict fixtures table
    world business politics sport sports markets market news update factbox analysis
    """.split()
) | {"motor racing", "ice hockey", "rugby union", "rugby league"}
#: a number, a score, a time or a place in a list: "2", "4-0", "19.32", "1.", "1990s"
#: (not an ordinal: "36th Marine Brigade" is one name)
NUMBER = re.compile(r"[+-]?\d[\d.,:/-]*s?\.?")
_TOKEN = re.compile(r"\S+")


def split_span(
    text: str, start: int, end: int, *, plain: bool = True, person: bool = False
) -> list[tuple[int, int]]:
    """
    Split one span at the places a name cannot run through; return the name-like parts.

    Parameters
    ----------
    text : str
        The text the span is in.
    start, end : int
        The span's character offsets.
    plain : bool, default True
        Whether the span is a plain name (a person, an organisation, a place): numbers
        and "v" split it too, as they do not split the names of events, laws and
        products ("FTSE 100", "1997 Fed Cup", "Roe v. Wade").
    person : bool, default False
        Whether the span is a person's name, which may start with a month ("April Ryan").

    Examples
    --------
    >>> t = "Millwall 2 Burnley 1"
    >>> [t[a:b] for a, b in split_span(t, 0, len(t))]
    ['Millwall', 'Burnley']
    >>> t = "SOCCER - ENGLAND BEAT MOLDOVA"
    >>> [t[a:b] for a, b in split_span(t, 0, len(t))]
    ['SOCCER', 'ENGLAND', 'MOLDOVA']
    """
    span = text[start:end]
    capitals = not any(ch.islower() for ch in span)
    tokens = list(_TOKEN.finditer(span))
    numeric = [NUMBER.fullmatch(m.group()) is not None for m in tokens]
    # one small number closing the name of a thing is part of it: "Nord Stream 2", "Channel 4"
    closing = tokens[-1].group() if tokens else ""
    last_kept = (
        not person
        and sum(numeric) == 1
        and closing.isdigit()
        and len(closing) <= 2
        and len(tokens) > 1
    )
    parts: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for n, m in enumerate(tokens):
        token = m.group()
        word = token.lower().strip(",;()[]")
        if token[:1] in "([" and run:  # "Shikolen (Belarus)"
            parts.append((run[0][0], run[-1][1]))
            run = []
        cut = (
            token in BREAKS
            or (plain and token in VERSUS)
            or (plain and NUMBER.fullmatch(token.strip(",;()[]")) is not None and not last_kept)
            or (capitals and word in HEADING_BREAKS and " " in span)
        )
        if cut:
            if run:
                parts.append((run[0][0], run[-1][1]))
            run = []
            continue
        if not (run or person) and word.rstrip(".") in MONTHS and m.end() < len(span.rstrip()):
            continue  # "August Chicago NAPM": the month is a date's
        run.append((m.start() + start, m.end() + start))
        after = tokens[n + 1].group().lower().strip(".,") if n + 1 < len(tokens) else ""
        if token[-1:] in ",;)]" and after not in SUFFIXES:  # "Kyiv, Ukraine"; not "Acme, Inc."
            parts.append((run[0][0], run[-1][1]))
            run = []
    if run:
        parts.append((run[0][0], run[-1][1]))
    trimmed = [trim_punctuation(text, a, b) for a, b in parts]
    return [(a, b) for a, b in trimmed if b > a]


def is_heading(span: str) -> bool:
    """
    Whether a span is a section heading in capitals ("SOCCER", "MOTOR RACING"), not a name.

    Examples
    --------
    >>> is_heading("SCHEDULE"), is_heading("Golf"), is_heading("NATO")
    (True, False, False)
    """
    return span.isupper() and " ".join(span.lower().split()) in HEADINGS


def trim_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut spaces and the punctuation a name does not end or start with off a span."""
    while end > start and (text[end - 1].isspace() or text[end - 1] in "-–—()[],;:/|\"'‘“"):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in "-–—()[],;:/|\"'’”"):
        start += 1
    return start, end


_CAP_WORD = r"[A-Z][A-Z.'&-]*"
_WORD = r"[A-Z][\w.'&-]*"
_DATE = (
    r"(?:\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b|"
    r"\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b|\(\w[\w ]*\))"
)
_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z.'&-]+(?: {_CAP_WORD}){{0,3}}(?:/[A-Z][A-Z.'&-]+(?: {_CAP_WORD}){{0,3}})*)"
    rf"(?: ?, ?(?P<region>{_WORD}(?: {_WORD}){{0,2}}))?"
    rf" ?[,:]? ?{_DATE}",
    re.MULTILINE,
)

_NAME = rf"{_WORD}(?: (?:of |de |la |del |van |von )?{_WORD})*"
_SCORE = r"\d{1,3}"
_RESULT = re.compile(
    rf"^(?P<a>{_NAME}) {_SCORE} (?P<b>{_NAME}) {_SCORE}\b"
    rf"|^(?P<c>{_NAME}) (?:v|vs|v\.|VS|V) (?P<d>{_NAME}) ?$"
    rf"|^(?P<e>{_NAME})(?: [\d./-]+){{4,}} ?$",
    re.MULTILINE,
)


def dateline_places(text: str) -> list[tuple[int, int]]:
    """
    The places of the datelines in a text: a line that starts with a name in capitals and a date.

    Examples
    --------
    >>> t = "Talks end\\nKYIV, March 3 (Reuters) - Talks ended."
    >>> [t[a:b] for a, b in dateline_places(t)]
    ['KYIV']
    """
    out = []
    for a, b in _group_spans(_DATELINE, text, "place", "region"):
        # "MOSCOW/WASHINGTON (Reuters)": two places
        for m in re.finditer(r"[^/]+", text[a:b]):
            out.append((a + m.start(), a + m.end()))
    return out


def team_names(text: str) -> list[tuple[int, int]]:
    """
    The names in lines of sports results: two names each with a score, two names
    either side of "v", or a league table's row (a name and four or more numbers).

    Examples
    --------
    >>> t = "Results:\\nTranmere 2 Portsmouth 1\\nChelsea v Arsenal"
    >>> [t[a:b] for a, b in team_names(t)]
    ['Tranmere', 'Portsmouth', 'Chelsea', 'Arsenal']
    """
    return _group_spans(_RESULT, text, *"abcde")


_CREDIT_WORD = r"(?:Photo|Photos|Photograph|Photographs|Image|Images|Picture|Pictures|Video)"
_CREDIT = re.compile(
    # "(AP Photo/David Goldman)", "(Photo by Jane Roe, File)", "(Reuters Pictures)"
    rf"\((?:[A-Z][\w.&-]*\s)*{_CREDIT_WORD}\b[^()\n]{{0,80}}\)"
    # "Photograph: Ludovic Marin/AFP/Getty Images", to the end of its segment
    rf"|(?<![\w-])(?:{_CREDIT_WORD}|Credit|Credits)(?: credit)?: [^\n]{{1,80}}?(?=\s{{2,}}|\n|$|[.;](?:\s|$))"
    # "FILE - Ukrainian servicemen ...": a caption of an archive photo
    r"|(?<![\w-])FILE(?= ?[-–—] )"
)


def credits(text: str) -> list[tuple[int, int]]:
    """
    The photo and video credits of a text: the names in them are its photographers and
    agencies, not the people and organisations of the story.

    Examples
    --------
    >>> t = "Smoke rises over Kyiv. (AP Photo/David Goldman)\\nPhotograph: Jane Roe/AFP\\nThe end."
    >>> [t[a:b] for a, b in credits(t)]
    ['(AP Photo/David Goldman)', 'Photograph: Jane Roe/AFP']
    >>> credits("FILE - A tank in Kharkiv. (AP Photo, File)")
    [(0, 4), (26, 42)]
    """
    return [m.span() for m in _CREDIT.finditer(text)]


def _group_spans(pattern: re.Pattern, text: str, *groups: str) -> list[tuple[int, int]]:
    """The spans of the named groups that took part in each match, in order."""
    return [m.span(g) for m in pattern.finditer(text) for g in groups if m.group(g)]
