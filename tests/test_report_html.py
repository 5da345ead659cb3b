"""The HTML report: self-contained, offline, untrusted article text shown as text; in a browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis.paths import repo_path
from analysis.report import run as reporting

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ARTIFACTS = repo_path("test-artifacts")

PLACES = ["Istanbul", "Kharkiv", "Lviv", "Odesa", "Mariupol", "Kyiv", "Dnipro", "Sumy"]
ACTORS = ["negotiators", "the mayor", "aid workers", "the defence ministry", "residents", "envoys"]
EVENTS = ["reported shelling", "opened a corridor", "asked for a ceasefire", "counted the damage",
          "delayed the talks", "signed a grain deal", "evacuated a school", "repaired the power lines"]  # fmt: skip


def body(day: int, outlet: int) -> str:
    """A distinct, plausible body per day and outlet (so no two are copies of each other)."""
    sentences = []
    for k in range(9):
        place = PLACES[(day * 3 + k + outlet * 5) % len(PLACES)]
        actor = ACTORS[(day + k * 2 + outlet) % len(ACTORS)]
        event = EVENTS[(day * 5 + k + outlet * 3) % len(EVENTS)]
        sentences.append(f"In {place} on day {day * 10 + k}, {actor} {event}, officials said.")
    sentences.insert(4, '"We want a ceasefire first," said Dmytro Kuleba, the foreign minister.')
    return " ".join(sentences)


def write_hostile_inputs(folder: Path) -> Path:
    """Two outlets, eight days of articles; some titles and bodies carry markup."""
    rows = []
    for i in range(8):
        date = f"2022-03-{10 + i:02d}"
        for j, outlet in enumerate(("Harbour Post", "Valley Times")):
            title = f"Talks day {i}"
            text = body(i, j)
            if i == 0 and j == 0:
                title = f"{SCRIPT} Talks open"
            if i == 3 and j == 0:
                title = f"{IMG} Talks stall"
            if i == 1 and j == 1:
                text = f"{IMG} {text} The mayor said {SCRIPT} was not a ceasefire plan."
            if i == 2:
                text = f'"{SCRIPT}," said {IMG} the spokesman. {text}'
            rows.append({"Date": date, "URL": "", "Title": title, "Text": text, "Outlet": outlet})
    path = folder / "hostile.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory):
    from analysis import ingest, open_corpus

    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    ingest([write_hostile_inputs(root)], corpus, progress=False)
    articles = open_corpus(corpus)
    # the markup reached the corpus as text, so the report has something to escape
    assert articles["title"].str.contains(SCRIPT, regex=False).any()
    assert articles["text"].str.contains(IMG, regex=False).any()
    return corpus


@pytest.fixture(scope="module")
def hostile_report(hostile_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return reporting.run_report(
        "coverage_report",
        corpus=hostile_corpus,
        out=out,
        name="hostile",
        parameters={"title": f"Week {SCRIPT}", "query": ["ceasefire", "alert"], "period": "D"},
    )


class Inventory(HTMLParser):
    """Every tag with its attributes, and the text of <style> and <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("style", "script"):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)


def inventory(page: str) -> Inventory:
    parser = Inventory()
    parser.feed(page)
    return parser


def assert_offline_and_inert(page: str) -> Inventory:
    inv = inventory(page)
    names = [t for t, _ in inv.tags]
    for banned in ("script", "iframe", "object", "embed", "link", "base", "form", "meta refresh"):
        assert banned not in names, banned
    for tag, attrs in inv.tags:
        handlers = [a for a in attrs if a.startswith("on")]
        assert not handlers, (tag, attrs)
        if "src" in attrs:
            assert attrs["src"].startswith("data:image/"), (tag, attrs["src"][:60])
        if "href" in attrs:
            assert attrs["href"].startswith("#"), (tag, attrs["href"])
    for css in inv.styles:
        assert "@import" not in css and not re.search(r"url\(\s*['\"]?(?!data:)", css)
    return inv


def test_report_is_self_contained(hostile_report):
    page = (hostile_report / "report.html").read_text(encoding="utf-8")
    inv = assert_offline_and_inert(page)
    assert not re.search(r"(?i)(mathjax|require\.js|cdn\.|jsdelivr|unpkg|googleapis)", page)
    figures = sorted((hostile_report / "figures").glob("*.png"))
    images = [a for t, a in inv.tags if t == "img"]
    assert figures and len(images) >= len(figures)
    # a table of contents whose links lead to headings of the page
    toc = re.search(r'<nav class="report-toc".*?</nav>', page, re.S).group(0)
    anchors = re.findall(r'href="#([^"]+)"', toc)
    ids = {a.get("id") for _, a in inv.tags}
    assert len(anchors) >= 5 and all(a in ids for a in anchors)
    # code is hidden by default
    assert "analysis.load_corpus" not in page


def test_untrusted_text_shows_as_text(hostile_report):
    page = (hostile_report / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "<img src=x" not in page
    # the strings are there, escaped: in the title, the KWIC table and the quotes table
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>Week &lt;script&gt;alert(1)&lt;/script&gt;</title>" in page


def test_show_code_keeps_the_page_inert(hostile_corpus, tmp_path):
    folder = reporting.run_report(
        "explore", corpus=hostile_corpus, out=tmp_path, name="code", show_code=True
    )
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "load_corpus" in page  # the code is shown
    assert_offline_and_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def chromium() -> str:
    for candidate in (
        os.environ.get("MCA_CHROMIUM"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    pytest.skip(
        "chromium is not installed and could not be installed here "
        "(`make test` runs tests/ensure_chromium.sh, which installs Debian's chromium as root)"
    )


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


#: Chromium's traffic annotation of resources requested by a page (blink_resource_loader).
PAGE_RESOURCE = 101845102


def page_requests(netlog: str) -> list[str]:
    """Return the URLs a page asked for, from a chromium net log (JSON, possibly cut short)."""
    try:
        events = json.loads(netlog).get("events", [])
        urls = [
            e["params"]["url"]
            for e in events
            if isinstance(e.get("params"), dict)
            and e["params"].get("traffic_annotation") == PAGE_RESOURCE
            and "url" in e["params"]
        ]
    except ValueError:
        urls = re.findall(rf'"traffic_annotation":{PAGE_RESOURCE},"url":"([^"]+)"', netlog)
    return sorted(set(urls))


@pytest.mark.browser
@pytest.mark.slow
def test_report_renders_offline_in_chromium(hostile_report, tmp_path):
    binary = chromium()
    report = hostile_report / "report.html"
    url = report.resolve().as_uri()
    netlog = tmp_path / "netlog.json"
    dom = run_chromium(
        binary,
        tmp_path / "profile-dom",
        f"--log-net-log={netlog}",
        "--virtual-time-budget=3000",
        "--dump-dom",
        url,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    live = inventory(dom.stdout)
    images = [a for t, a in live.tags if t == "img"]
    figures = sorted((hostile_report / "figures").glob("*.png"))
    assert len(images) >= len(figures) >= 1
    assert all(a["src"].startswith("data:image/png;base64,") for a in images)
    # nothing became live markup: no script element, no event handler in the rendered DOM
    assert "script" not in [t for t, _ in live.tags]
    assert not [a for _, a in live.tags if any(k.startswith("on") for k in a)]
    assert "Week <script>alert(1)</script>" not in dom.stdout
    assert "What the corpus holds" in dom.stdout

    # zero external requests made by the page (the net log also shows chromium's own
    # background traffic, which carries other traffic annotations)
    log = netlog.read_text(encoding="utf-8", errors="replace")
    assert url in log, "the net log did not record the page"
    assert page_requests(log) == []

    # the same check does see the requests of a page that loads things from the web
    control = tmp_path / "control.html"
    control.write_text(
        '<img src="http://example.invalid/x.png"><script src="https://cdn.example.invalid/a.js"></script>'
    )
    control_log = tmp_path / "control.json"
    run_chromium(
        binary, tmp_path / "profile-control", f"--log-net-log={control_log}", "--dump-dom",
        control.resolve().as_uri(),
    )  # fmt: skip
    found = page_requests(control_log.read_text(encoding="utf-8", errors="replace"))
    assert {"http://example.invalid/x.png", "https://cdn.example.invalid/a.js"} <= set(found)

    # keep a screenshot as a test artifact, and check that it is not a blank page
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "coverage_report.png"
    done = run_chromium(
        binary,
        tmp_path / "profile-shot",
        f"--screenshot={shot}",
        "--window-size=1280,2400",
        "--hide-scrollbars",
        url,
    )
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[0] >= 2000 and pixels.std() > 0.05  # text, tables and charts drawn


class ReportTables(HTMLParser):
    """The header cells and the rows of each table a report shows (outside its header)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self._in_body = True
        elif tag == "table" and self._in_body:
            self.tables.append(([], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self.tables and self._in_body:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            head, rows = self.tables[-1]
            if self._in_head:
                head.extend(self._row)
            else:
                rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def squeezed(text: str) -> str:
    """Text without its white space, ligatures undone: how a PDF's text is compared."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.browser
@pytest.mark.slow
def test_printed_report_shows_every_row_and_column(hostile_report, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    binary = chromium()
    report = hostile_report / "report.html"
    pdf = tmp_path / "report.pdf"
    done = run_chromium(
        binary,
        tmp_path / "profile-pdf",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        report.resolve().as_uri(),
    )
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
    pages = [squeezed(page.extract_text() or "") for page in pypdf.PdfReader(pdf).pages]
    printed = "".join(pages)

    parser = ReportTables()
    parser.feed(report.read_text(encoding="utf-8"))
    tables = [(head, rows) for head, rows in parser.tables if head and rows]
    assert len(tables) >= 8
    # the last group's rows of a grouped table are at its end, below any scroll box's fold
    assert any("Valley Times" in rows[-1] for _, rows in tables)
    spanning = 0
    for head, rows in tables:
        # every column, the last one too, of the header and of the last row: nothing cut
        # off at the right edge of the paper or at the bottom of a box
        for cell in [*head, *rows[-1]]:
            assert squeezed(cell) in printed, (cell, head)
        found = [
            [i for i, text in enumerate(pages) if squeezed("".join(row)) in text]
            for row in (rows[0], rows[-1])
        ]
        assert all(found), (head, rows[0], rows[-1])  # each row whole, on one page
        first, last = found[0][0], found[1][-1]
        if last > first:  # a table running over pages repeats its header row on each
            spanning += 1
            for page in pages[first + 1 : last + 1]:
                assert squeezed("".join(head)) in page, head
    assert spanning >= 1
