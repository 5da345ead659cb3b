"""Dates printed in the text of news pages, with their time of day and zone, read as UTC."""

from __future__ import annotations

import re

import pandas as pd

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "january jan", "february feb", "march mar", "april apr", "may", "june jun",
            "july jul", "august aug", "september sep sept", "october oct", "november nov",
            "december dec",
        ]
    )
    for m in names.split()
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
#: UTC offsets, in hours, of the zone abbreviations news pages print after a time
#: (IST is India's, the one news sites use most; CST is US Central).
ZONES = {
    "GMT": 0, "UTC": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "IST": 5.5, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_ZONE_ALT = "|".join(sorted((z for z in ZONES if len(z) > 1), key=len, reverse=True))
#: A time of day after a date: "4:40 PM GMT", "at 1:15 p.m. EST", "19.02 GMT", "5 p.m. CST",
#: "16:40:00Z", "09:01 +02:00". A time written with a dot needs a zone or am/pm after it.
_TIME = (
    r"(?:,?\s*(?:at\s+|[-–—|·•]\s*|T)?"
    r"(?:(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d)(?:\.\d+)?)?"
    r"|(?P<H2>\d{1,2})\.(?P<M2>\d\d)(?=\s*(?:[ap]\.?m\.?(?![a-z])|(?:" + _ZONE_ALT + r")\b))"
    r"|(?P<H3>\d{1,2})(?=\s*[ap]\.?m\.?(?![a-z])))"
    r"\s*(?P<ampm>[ap]\.?m\.?(?![a-z]))?"
    r"\s*(?:\(?(?P<tz>" + _ZONE_ALT + r"|Z)\b\)?)?"
    r"\s*(?P<off>[+-]\d\d:?\d\d\b|(?<=UTC)[+-]\d{1,2}\b|(?<=GMT)[+-]\d{1,2}\b)?)?"
)
_DATE_PATTERNS = (
    re.compile(
        rf"\b(?P<m>{_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"
        + _TIME,
        re.I,
    ),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_ALT})\.?,?\s+(?P<y>(?:19|20)\d\d)\b"
        + _TIME,
        re.I,
    ),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mn>\d\d)-(?P<d>\d\d)(?!\d)" + _TIME),
)
_DATE_CUE = re.compile(r"\b(?:published|posted|updated|first published|last updated|date)\b", re.I)
_UPDATED = re.compile(r"\b(?:updated|last updated|modified)\b", re.I)


def _dates_in(line: str) -> list[pd.Timestamp]:
    """Full dates (with a year) in a line, in UTC; a time of day and its zone when printed."""
    out = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(line):
            month = int(m.group("mn")) if "mn" in m.groupdict() else _MONTHS[m.group("m").lower()]
            try:
                day = pd.Timestamp(int(m.group("y")), month, int(m.group("d")))
            except ValueError:
                continue
            out.append((m.start(), day + _time_of_day(m)))
    return [ts.tz_localize("UTC") for _, ts in sorted(out, key=lambda x: x[0])]


def _time_of_day(m: re.Match) -> pd.Timedelta:
    """
    Offset from midnight UTC of a matched date's time: "1:15 p.m. EST" gives 18:15.

    A time without a zone is taken as UTC; a date without a time is midnight.
    """
    hour = m.group("H") or m.group("H2") or m.group("H3")
    if hour is None:
        return pd.Timedelta(0)
    h = int(hour)
    minute = int(m.group("M") or m.group("M2") or 0)
    second = int(m.group("S") or 0)
    ampm = (m.group("ampm") or "").lower()[:1]
    if ampm and not 1 <= h <= 12:
        return pd.Timedelta(0)
    if ampm == "p" and h < 12:
        h += 12
    elif ampm == "a" and h == 12:
        h = 0
    if h > 23 or minute > 59 or second > 59:
        return pd.Timedelta(0)
    offset = 0.0
    if m.group("tz"):
        offset = ZONES[m.group("tz").upper()]
    if m.group("off"):
        sign = -1 if m.group("off")[0] == "-" else 1
        digits = m.group("off")[1:].replace(":", "")
        hh, mm = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
        offset += sign * (int(hh) + int(mm) / 60)
    return pd.Timedelta(hours=h - offset, minutes=minute, seconds=second)


# ------------------------------------------------- dates written in several languages

#: Weekday names, which Nexis prints after the date and before its time.
_WEEKDAYS = """
    monday tuesday wednesday thursday friday saturday sunday
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
    lundi mardi mercredi jeudi vendredi samedi dimanche
    lunes martes miércoles miercoles jueves viernes sábado sabado domingo
    lunedì lunedi martedì martedi mercoledì mercoledi giovedì giovedi venerdì venerdi sabato
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    segunda terça terca quarta quinta sexta feira
""".split()
#: Month names and abbreviations in the languages database exports are read in
#: (English, German, French, Spanish, Italian, Dutch, Portuguese, Swedish, Russian).
MONTHS_WRITTEN = {
    **_MONTHS,
    **{
        m: i + 1
        for i, names in enumerate(
            [
                "januar jänner janvier janv enero ene gennaio gen januari janeiro jän января январь янв",
                "februar février fevrier févr fevr febrero febbraio februari fevereiro fev февраля февраль",
                "märz maerz mär mars marzo maart mrt março marco марта март",
                "avril avr abril abr aprile апреля апрель",
                "mai mayo maggio mag mei maio мая май",
                "juni juin junio giugno giu junho июня июнь",
                "juli juillet juil julio luglio lug julho июля июль",
                "août aout agosto ago augustus augusti августа август",
                "septembre septiembre setiembre settembre set setembro сентября сентябрь",
                "oktober okt octobre octubre ottobre ott outubro out октября октябрь окт",
                "novembre noviembre novembro ноября ноябрь",
                "dezember dez décembre decembre déc diciembre dic dicembre dezembro декабря декабрь",
            ]
        )
        for m in names.split()
    },
}
_WRITTEN_ALT = "|".join(sorted(MONTHS_WRITTEN, key=len, reverse=True))
_WEEKDAY = "(?:,?\\s+(?:" + "|".join(_WEEKDAYS) + r"(?:-feira)?)\b)?"
_WRITTEN = (
    re.compile(
        rf"(?<!\w)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?(?P<m>{_WRITTEN_ALT})\.?,?"
        rf"\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b" + _WEEKDAY + _TIME,
        re.I,
    ),
    re.compile(
        rf"(?<!\w)(?P<m>{_WRITTEN_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"
        + _WEEKDAY
        + _TIME,
        re.I,
    ),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<mn>\d\d)-(?P<d>\d\d)(?!\d)" + _TIME),
)
#: Words that may stand beside the date on a date line: weekdays, time words, editions.
_DATE_LINE_WORDS = frozenset(
    _WEEKDAYS
    + """
    am pm a.m p.m uhr h gmt utc est edt cet cest bst
    edition ausgabe édition edición edizione editie final late early city national
    online print web first second third 1st 2nd 3rd correction appended updated
    """.split()
)


def written_date(text: str) -> pd.Timestamp | None:
    """
    Return the first full date written in ``text`` (in UTC), in any of several languages.

    Month names may be English, German, French, Spanish, Italian, Dutch or
    Portuguese; a time of day and its zone after the date (or after a weekday
    following it) are read too.

    Examples
    --------
    >>> str(written_date("Load-Date: 5. März 2024"))
    '2024-03-05 00:00:00+00:00'
    >>> str(written_date("March 4, 2024 Monday 10:30 PM GMT"))
    '2024-03-04 22:30:00+00:00'
    """
    found = _written(text)
    return found[0] if found else None


def _written(text: str) -> tuple[pd.Timestamp, int, int] | None:
    best = None
    for pattern in _WRITTEN:
        for m in pattern.finditer(text):
            month = int(m.group("mn")) if "mn" in m.groupdict() else None
            if month is None:
                month = MONTHS_WRITTEN[m.group("m").lower()]
            try:
                day = pd.Timestamp(int(m.group("y")), month, int(m.group("d")))
            except ValueError:
                continue
            if best is None or m.start() < best[1]:
                best = ((day + _time_of_day(m)).tz_localize("UTC"), m.start(), m.end())
            break
    return best


_EDITION = re.compile(r"\b(?:edition|ausgabe|édition|edición|edizione|editie|ed\.)", re.I)
_MONTH_YEAR = re.compile(rf"^\s*(?P<m>{_WRITTEN_ALT})\.?,?\s+(?P<y>(?:19|20)\d\d)\s*$", re.I)


def date_line(line: str) -> pd.Timestamp | None:
    """
    Return the date of a line that is only a date, or None.

    Weekdays, a time of day, a zone and an edition may stand beside the date
    ("March 4, 2024 Monday 10:30 PM GMT", "Dienstag 5. März 2024", "mardi 5 mars
    2024", "March 4, 2024 Monday, Main Edition"); a month and year alone ("March
    2024", a monthly magazine) is its first day. A headline that holds a date is
    not a date line.

    Examples
    --------
    >>> str(date_line("Dienstag 5. März 2024"))
    '2024-03-05 00:00:00+00:00'
    >>> date_line("Talks resume on March 4, 2024 in Geneva") is None
    True
    """
    found = _written(line)
    if found is None:
        m = _MONTH_YEAR.match(line)
        if m is None:
            return None
        return pd.Timestamp(int(m.group("y")), MONTHS_WRITTEN[m.group("m").lower()], 1, tz="UTC")
    ts, start, end = found
    before, after = line[:start].lower(), line[end:].lower()
    if _EDITION.search(after):  # "..., Main Edition", "Late Edition - Final"
        after = after[: _EDITION.search(after).start()]
        after = re.sub(r"\w+\s*$", "", after)  # the edition's own name
    for word in re.split(r"[\s,;:()/|\-–—]+", before + " " + after):
        word = word.strip(".")
        if word and word not in _DATE_LINE_WORDS and not re.fullmatch(r"[\d:.+]+", word):
            if word.upper() not in ZONES:
                return None
    return ts
