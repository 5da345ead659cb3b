"""Build the bundled sample corpus in ``data/sample/`` from ``data/sample_source/``.

The corpus is invented: every story lives in ``data/sample_source/stories.yaml``
and every outlet's page furniture (navigation, advertising slots, newsletter
pitches, cookie notices, copyright lines) is drawn here. The output is a folder
per outlet of plain-text page dumps in the same shape as ``seeds/``, plus a
sidecar ``manifest.csv`` that lists most, but on purpose not all, of the files.

The build is deterministic: the same source always gives the same bytes, so
``tests/test_sample_data.py`` can rebuild into a temporary folder and compare.

Usage::

    python data/build_sample.py              # rewrite data/sample/
    python data/build_sample.py --out DIR    # build somewhere else
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "sample_source"
SAMPLE_DIR = HERE / "sample"
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ["path", "url", "outlet", "published"]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Daylight saving changes inside the corpus window (UTC instants of the switch).
US_EASTERN_DST = datetime(2022, 3, 13, 7, 0, tzinfo=timezone.utc)
US_CENTRAL_DST = datetime(2022, 3, 13, 8, 0, tzinfo=timezone.utc)
UK_SUMMER_TIME = datetime(2022, 3, 27, 1, 0, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Page:
    """One rendered page: a story as one outlet ran it."""

    outlet: str
    story_id: str
    slug: str
    when: datetime  # aware, in the outlet's local time
    headline: str
    paragraphs: tuple[str, ...]
    dateline: str
    country: str
    caption: str
    photographer: str
    section: str = "World"
    dek: str = ""
    byline: str = ""
    reporting: str = ""
    wire: bool = False  # a Continental Wire Service story (original or republished)
    in_manifest: bool = True
    messy: str = ""  # "", "cp1252", "utf16", "crlf", "undated"
    related: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        if self.messy == "undated":
            return f"{self.outlet}/undated-{self.slug}.txt"
        return f"{self.outlet}/{self.when.date().isoformat()}-{self.slug}.txt"


def _long_date(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _clock_12(t: datetime, *, dotted: bool) -> str:
    hour = t.hour % 12 or 12
    if dotted:
        return f"{hour}:{t.minute:02d} {'a.m.' if t.hour < 12 else 'p.m.'}"
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def _local(utc: datetime, outlet: str) -> tuple[datetime, str]:
    """Return the outlet's local time for a UTC instant and its zone abbreviation."""
    if outlet == "harbor-city-tribune":
        summer = utc >= US_EASTERN_DST
        offset, name = (-4, "EDT") if summer else (-5, "EST")
    elif outlet == "lakeshore-evening-post":
        summer = utc >= US_CENTRAL_DST
        offset, name = (-5, "CDT") if summer else (-6, "CST")
    elif outlet == "meridian-daily":
        summer = utc >= UK_SUMMER_TIME
        offset, name = (1, "BST") if summer else (0, "GMT")
    else:
        offset, name = 0, "GMT"
    return utc.astimezone(timezone(timedelta(hours=offset))), name


# --------------------------------------------------------------------------- outlets


@dataclass(frozen=True)
class Outlet:
    name: str
    publisher: str
    domain: str
    path_prefix: str
    render: Callable[[Page], list[str]]


def _indented(label: str) -> list[str]:
    """Page-builder habit of one outlet: labels padded and followed by a blank-ish line."""
    return ["", f"      {label}", "  "]


def _cws_dateline(page: Page) -> str:
    return f"{page.dateline}, {MONTHS[page.when.month - 1]} {page.when.day} (CWS) - "


def render_cws(page: Page) -> list[str]:
    when = page.when
    body = list(page.paragraphs)
    body[0] = _cws_dateline(page) + body[0]
    lines = [
        page.headline,
        "Continental Wire Service",
        "Skip to main content",
        "World  Business  Markets  Energy  Wire Feed  Pictures",
        page.section,
        f"{_long_date(when.date())} {_clock_12(when, dotted=False)} GMT",
        "Updated 2 hours ago",
    ]
    if page.byline:
        lines.append(f"By {page.byline}")
    lines += [
        f"{page.caption}, {_long_date(when.date())}. CONTINENTAL WIRE/{page.photographer}",
        "Sign up for the Morning Wire, our free briefing on the day's top stories",
        *body,
    ]
    if page.reporting:
        lines.append(page.reporting)
    lines += [
        "Our Standards: The Continental Wire Editorial Charter.",
        "Read Next",
        *page.related,
        "Continental Wire Service, the news division of Continental Information Group, "
        "reaches readers in more than 90 countries every day.",
        "Follow CWS",
        "Apps  Newsletters  Advertise with us  Careers",
        f"Copyright © {when.year} Continental Wire Service. All rights reserved.",
        "About Continental Wire Service",
        "All market data delayed a minimum of 15 minutes.",
    ]
    return lines


def render_ledger(page: Page) -> list[str]:
    when = page.when
    body = list(page.paragraphs)
    body[0] = f"{page.dateline}: {body[0]}"
    if len(body) > 5:
        body.insert(4, "Advertisement")
    credit = (
        f"CONTINENTAL WIRE/{page.photographer}"
        if page.wire
        else (f"THE NORTHERN LEDGER/{page.photographer}")
    )
    lines = [
        "",
        f"      {page.headline}",
        "  ",
        "",
        *_indented("Follow the Ledger"),
        "Main menu",
        "",
        *_indented(page.section),
        "Advertisement",
        "Advertisement",
        "",
        *_indented(page.section),
        "",
        f"{page.caption}, {_long_date(when.date())}. {credit}",
        *body,
        "Advertisement",
        *_indented("More on this story"),
        *page.related,
        "Advertisement",
        *_indented("Ledger Sections"),
        *_indented("About The Northern Ledger"),
        *_indented("Short on time? Get The Ledger's morning briefing in your inbox"),
        *_indented(
            "By signing up you agree to receive news and offers from Ledger Media Group "
            "and its partners. You can unsubscribe at any time. "
        ),
        *_indented("Follow the Ledger"),
        f" Copyright © {when.year} Ledger Media Group. All rights reserved. ",
        *_indented("Your browser is out of date"),
        "Please update your browser so The Northern Ledger can load quickly and safely for you.",
    ]
    return lines


def render_tribune(page: Page) -> list[str]:
    when, zone = page.when, _zone(page)
    body = list(page.paragraphs)
    lead = f"{page.dateline}, {page.country} — " if page.country else f"{page.dateline} — "
    body[0] = lead + body[0]
    if len(body) > 4:
        body.insert(3, "Story continues below advertisement")
    if page.wire:
        byline = (
            f"By {page.byline} | Continental Wire Service"
            if page.byline
            else ("By Continental Wire Service")
        )
        credit = f"(Photo: {page.photographer}/Continental Wire Service)"
    else:
        byline = f"By {page.byline}"
        credit = f"(Photo: {page.photographer} for the Harbor City Tribune)"
    stamp = f"{_long_date(when.date())} at {_clock_12(when, dotted=True)} {zone}"
    lines = [
        page.headline,
        "Harbor City Tribune",
        "Sections",
        "Subscribe   Sign in",
        page.section,
    ]
    if page.dek:
        lines.append(page.dek)
    lines += [
        byline,
        f"Published {stamp}",
        "Share this article",
        "Comments",
        f"{page.caption}. {credit}",
        *body,
        "Get the Tribune's World Briefing newsletter, free in your inbox every weekday.",
        "Gift this article",
        f"More from {page.section}",
        *page.related,
        "We use cookies and similar technologies to improve your experience and to show you "
        "relevant advertising. Accept all | Manage preferences",
        f"Copyright © {when.year} Harbor City Tribune Company. All rights reserved.",
        "About the Tribune | Contact us | Terms of Use | Privacy Policy",
    ]
    return lines


def _zone(page: Page) -> str:
    return _local(page.when.astimezone(timezone.utc), page.outlet)[1]


MERIDIAN_SECTIONS = {"WASHINGTON": "US news", "LONDON": "Business"}


def render_meridian(page: Page) -> list[str]:
    when = page.when
    body = list(page.paragraphs)
    if len(body) > 5:
        body[4:4] = [
            "Sign up to First Edition, our free daily newsletter, every weekday morning",
            "Privacy notice: Newsletters may contain information about charities, online ads, "
            "and content funded by outside parties.",
            "after newsletter promotion",
        ]
    if page.wire:
        author = (
            f"{page.byline} for Continental Wire Service"
            if page.byline
            else ("Continental Wire Service")
        )
        credit = f"Photograph: {page.photographer}/Continental Wire"
    else:
        author = f"{page.byline} in {page.dateline.title()}"
        credit = f"Photograph: {page.photographer}/Meridian Daily"
    stamp = (
        f"{WEEKDAYS[when.weekday()][:3]} {when.day} {MONTHS[when.month - 1][:3]} {when.year} "
        f"{when.hour:02d}.{when.minute:02d} {_zone(page)}"
    )
    lines = [
        page.headline,
        "Meridian Daily",
        "News | Opinion | Sport | Culture | Lifestyle",
        "World  Europe  UK  Climate  Business",
        MERIDIAN_SECTIONS.get(page.dateline, "Europe"),
    ]
    if page.dek:
        lines.append(page.dek)
    lines += [
        author,
        stamp,
        f"{page.caption}. {credit}",
        *body,
        "Topics",
        "Ukraine",
        "Russia",
        "Europe",
        "Reuse this content",
        "Most viewed",
        *page.related,
        "Meridian Daily is editorially independent. Support us from as little as £1.",
        f"Copyright © {when.year} Meridian News Holdings plc. All rights reserved.",
        "About Meridian Daily",
    ]
    return lines


def render_lakeshore(page: Page) -> list[str]:
    when = page.when
    body = list(page.paragraphs)
    if page.wire:
        body[0] = (
            f"{page.dateline}, {page.country} (CWS) — {body[0]}"
            if page.country
            else (f"{page.dateline} (CWS) — {body[0]}")
        )
        byline = (
            f"By {page.byline.upper()} Continental Wire Service"
            if page.byline
            else ("From Continental Wire Service")
        )
        credit = f"({page.photographer} / Continental Wire)"
    else:
        lead = f"{page.dateline}, {page.country} — " if page.country else f"{page.dateline} — "
        body[0] = lead + body[0]
        byline = f"By {page.byline}, Lakeshore Evening Post"
        credit = f"({page.photographer} / Lakeshore Evening Post)"
    if len(body) > 3:
        body.insert(2, "ADVERTISEMENT")
    month = MONTHS[when.month - 1]
    month = month if len(month) <= 5 else month[:3] + "."
    if page.messy == "undated":
        posted = "Posted {{ article.published | date }} — Updated 00/00/0000"
        caption = f"{page.caption} {credit}"
    else:
        posted = (
            f"Posted {month} {when.day}, {when.year} {_clock_12(when, dotted=True)} {_zone(page)}"
        )
        caption = f"{page.caption}, {_long_date(when.date())}. {credit}"
    lines = [
        page.headline,
        "LAKESHORE EVENING POST",
        "Menu",
        "Search",
        "Local  Nation & World  Sports  Business  Opinion  Obituaries",
        "Listen to this article",
        byline,
        posted,
        caption,
        *body,
        "Support local journalism. Subscribe for $1 a week.",
        "Related Stories",
        *page.related,
        "This site uses cookies. By continuing to browse you accept our Cookie Policy. OK",
        f"Copyright © {when.year} Lakeshore Publishing LLC. All rights reserved.",
        "About Lakeshore Evening Post",
    ]
    return lines


OUTLETS: dict[str, Outlet] = {
    "continental-wire": Outlet(
        "Continental Wire Service",
        "Continental Wire Service",
        "https://www.continentalwire.example",
        "world/europe",
        render_cws,
    ),
    "northern-ledger": Outlet(
        "The Northern Ledger",
        "Ledger Media Group",
        "https://www.northernledger.example",
        "news/world",
        render_ledger,
    ),
    "harbor-city-tribune": Outlet(
        "Harbor City Tribune",
        "Harbor City Tribune Company",
        "https://www.harborcitytribune.example",
        "world",
        render_tribune,
    ),
    "meridian-daily": Outlet(
        "Meridian Daily",
        "Meridian News Holdings plc",
        "https://www.meridiandaily.example",
        "world",
        render_meridian,
    ),
    "lakeshore-evening-post": Outlet(
        "Lakeshore Evening Post",
        "Lakeshore Publishing LLC",
        "https://www.lakeshorepost.example",
        "news",
        render_lakeshore,
    ),
}


# --------------------------------------------------------------------------- special pages


def chrome_only_page(day: date) -> list[str]:
    """A Tribune section front saved instead of an article: page furniture and nothing else."""
    weekday = WEEKDAYS[day.weekday()]
    return [
        "World News | Harbor City Tribune",
        "Harbor City Tribune",
        "Sections",
        "Subscribe   Sign in",
        f"{weekday}, {_long_date(day)} · Today's Paper",
        "World",
        "Africa  Americas  Asia  Europe  Middle East",
        "Advertisement",
        "Live coverage is loading. If nothing appears, refresh the page.",
        "Story continues below advertisement",
        "Get the Tribune's World Briefing newsletter, free in your inbox every weekday.",
        "Most Read",
        "Crossword",
        "Advertisement",
        "We use cookies and similar technologies to improve your experience and to show you "
        "relevant advertising. Accept all | Manage preferences",
        f"Copyright © {day.year} Harbor City Tribune Company. All rights reserved.",
        "About the Tribune | Contact us | Terms of Use | Privacy Policy",
    ]


# --------------------------------------------------------------------------- build


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.strip().splitlines() if p.strip())


def _utc(day: date, clock: str) -> datetime:
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


def load_source(source_dir: Path = SOURCE_DIR) -> list[dict]:
    """Return the story records of every ``*.yaml`` file in ``source_dir``, in file order."""
    stories: list[dict] = []
    for path in sorted(source_dir.glob("*.yaml")):
        stories.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return stories


def pages_from_source(stories: list[dict]) -> list[Page]:
    """Turn story records into pages, one per outlet that ran each story."""
    pages: list[Page] = []
    for story in stories:
        paragraphs = _paragraphs(story["body"])
        utc = _utc(story["date"], story["time"])
        base = Page(
            outlet=story["outlet"],
            story_id=story["id"],
            slug=story["slug"],
            when=_local(utc, story["outlet"])[0],
            headline=story["headline"],
            paragraphs=paragraphs,
            dateline=story["dateline"],
            country=story.get("country", "Ukraine") or "",
            caption=story["caption"],
            photographer=story["photographer"],
            section=story.get("section", "World"),
            dek=story.get("dek", ""),
            byline=story.get("byline", ""),
            reporting=story.get("reporting", ""),
            wire=story["outlet"] == "continental-wire",
            in_manifest=story.get("manifest", True),
            messy=story.get("messy", ""),
        )
        pages.append(base)
        for copy in story.get("syndicated", []):
            text = paragraphs[: len(paragraphs) - copy.get("trim", 1)]
            for old, new in copy.get("edits", []):
                text = tuple(p.replace(old, new) for p in text)
            copy_utc = _utc(copy.get("date", story["date"]), copy["time"])
            pages.append(
                replace(
                    base,
                    outlet=copy["outlet"],
                    slug=copy["slug"],
                    when=_local(copy_utc, copy["outlet"])[0],
                    headline=copy["headline"],
                    paragraphs=text,
                    dek=copy.get("dek", ""),
                    byline=copy.get("byline", base.byline),
                    reporting="",
                    in_manifest=copy.get("manifest", True),
                    messy="",
                )
            )
    return _with_related(pages)


def _with_related(pages: list[Page], n: int = 3) -> list[Page]:
    """Give each page the headlines of up to ``n`` earlier (else later) pages of its outlet."""
    out = []
    for page in pages:
        same = sorted((p for p in pages if p.outlet == page.outlet), key=lambda p: p.when)
        others = [p for p in same if p is not page]
        earlier = [p for p in others if p.when < page.when][-n:]
        later = [p for p in others if p.when >= page.when]
        picks = (earlier[::-1] + later)[:n]
        out.append(replace(page, related=tuple(p.headline for p in picks)))
    return out


def _encode(page: Page, lines: list[str]) -> bytes:
    text = "\n".join(lines) + "\n"
    if page.messy == "cp1252":
        return text.encode("cp1252")
    if page.messy == "utf16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if page.messy == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    return text.encode("utf-8")


def _url(page: Page) -> str:
    outlet = OUTLETS[page.outlet]
    d = page.when.date()
    return f"{outlet.domain}/{outlet.path_prefix}/{d:%Y/%m/%d}/{page.slug}/"


def bad_pages() -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """
    Two pages no article can come from, with their manifest rows.

    They are not part of the bundled corpus (its ingest reports no failure);
    the tests build them beside it to check that ingest accounts for them.
    """
    files: dict[str, bytes] = {}
    manifest: list[dict[str, str]] = []
    # A page saved while the Tribune's live blog failed to load: furniture only.
    chrome_day = date(2022, 3, 21)
    chrome_path = f"harbor-city-tribune/{chrome_day.isoformat()}-live-updates.txt"
    files[chrome_path] = ("\n".join(chrome_only_page(chrome_day)) + "\n").encode("utf-8")
    manifest.append(
        {
            "path": chrome_path,
            "url": f"{OUTLETS['harbor-city-tribune'].domain}/world/live-updates/",
            "outlet": "Harbor City Tribune",
            "published": "2022-03-21T07:30:00-04:00",
        }
    )
    # A crawl that saved nothing at all.
    empty_path = "meridian-daily/2022-03-15-live-blog.txt"
    files[empty_path] = b""
    manifest.append(
        {
            "path": empty_path,
            "url": f"{OUTLETS['meridian-daily'].domain}/world/live/2022/mar/15/",
            "outlet": "Meridian Daily",
            "published": "2022-03-15T06:00:00+00:00",
        }
    )
    return files, manifest


def build(
    out_dir: Path, source_dir: Path = SOURCE_DIR, *, with_bad_pages: bool = False
) -> list[Path]:
    """
    Write the corpus into ``out_dir`` (replacing what is there) and return the paths written.

    ``with_bad_pages`` adds the empty and the furniture-only page of :func:`bad_pages`.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    files: dict[str, bytes] = {}
    manifest: list[dict[str, str]] = []
    for page in pages_from_source(load_source(source_dir)):
        files[page.path] = _encode(page, OUTLETS[page.outlet].render(page))
        if page.in_manifest:
            manifest.append(
                {
                    "path": page.path,
                    "url": _url(page),
                    "outlet": OUTLETS[page.outlet].name,
                    "published": page.when.isoformat(),
                }
            )
    if with_bad_pages:
        bad_files, bad_rows = bad_pages()
        files.update(bad_files)
        manifest.extend(bad_rows)
    written = []
    for rel in sorted(files):
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[rel])
        written.append(target)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(manifest, key=lambda row: row["path"]))
    (out_dir / MANIFEST_NAME).write_bytes(buffer.getvalue().encode("utf-8"))
    written.append(out_dir / MANIFEST_NAME)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="output folder")
    args = parser.parse_args(argv)
    written = build(args.out)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
