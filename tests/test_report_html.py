"""The HTML report: self-contained, offline, untrusted article text shown as text; in a browser."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis.paths import repo_path
from analysis.report import run as reporting
from analysis.report.drilldown import SCRIPT_PATH

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ARTIFACTS = repo_path("test-artifacts")

PLACES = ["Istanbul", "Kharkiv", "Lviv", "Odesa", "Mariupol", "Kyiv", "Dnipro", "Sumy"]
ACTORS = ["negotiators", "the mayor", "aid workers", "the defence ministry", "residents", "envoys"]
EVENTS = ["reported shelling", "opened a corridor", "asked for a ceasefire", "counted the damage",
          "delayed the talks", "signed a grain deal", "evacuated a school", "repaired the power lines"]  # fmt: skip


#: Words each outlet uses and the other does not (for keyness), in a sentence whose
#: words change every day (a line repeated in an outlet's articles is removed at ingest).
OWN_WORDS = (
    "At the harbour quay, harbour pilots and {actor} from {place} waited for harbour ferries.",
    "In the valley, {actor} from {place} checked valley orchards and valley silos.",
)


def body(day: int, outlet: int) -> str:
    """A distinct, plausible body per day and outlet (so no two are copies of each other)."""
    sentences = []
    for k in range(9):
        place = PLACES[(day * 3 + k + outlet * 5) % len(PLACES)]
        actor = ACTORS[(day + k * 2 + outlet) % len(ACTORS)]
        event = EVENTS[(day * 5 + k + outlet * 3) % len(EVENTS)]
        sentences.append(f"In {place} on day {day * 10 + k}, {actor} {event}, officials said.")
    sentences.insert(4, '"We want a ceasefire first," said Dmytro Kuleba, the foreign minister.')
    sentences.append(OWN_WORDS[outlet].format(actor=ACTORS[day % 6], place=PLACES[day]))
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
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("style", "script"):
            self._in = tag
            if tag == "script":
                self.scripts.append((self.tags[-1][1], ""))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def inventory(page: str) -> Inventory:
    parser = Inventory()
    parser.feed(page)
    return parser


def policy_of(inv: Inventory) -> str:
    found = [
        a["content"]
        for t, a in inv.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(found) == 1, found
    return found[0]


def assert_own_scripts_only(inv: Inventory) -> None:
    """No script but the report's data block and its one script, allowed by the policy's hash."""
    policy = policy_of(inv)
    assert "default-src 'none'" in policy and "img-src data:;" in policy
    code = [text for attrs, text in inv.scripts if not attrs]
    data = [
        text
        for attrs, text in inv.scripts
        if attrs == {"type": "application/json", "id": "report-data"}
    ]
    assert len(code) + len(data) == len(inv.scripts), [a for a, _ in inv.scripts]
    if not code:
        assert "script-src 'none'" in policy and not data
        return
    assert len(code) == 1 and len(data) == 1
    digest = base64.b64encode(hashlib.sha256(code[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in policy
    assert code[0] == SCRIPT_PATH.read_text(encoding="utf-8")  # our own file, as it is
    json.loads(data[0])  # one well-formed JSON value, nothing after it


def assert_offline_and_inert(page: str) -> Inventory:
    inv = inventory(page)
    names = [t for t, _ in inv.tags]
    for banned in ("iframe", "object", "embed", "link", "base", "form", "meta refresh"):
        assert banned not in names, banned
    assert_own_scripts_only(inv)
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
    # the report's two script elements sit at the end of the page; none is anywhere else
    head, _, tail = page.partition('<script type="application/json" id="report-data">')
    assert "<script" not in head.lower()
    assert tail.lower().count("<script") == 1 and tail.rstrip().endswith("</html>")
    data = tail.partition("</script>")[0]
    assert "<" not in data and "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in data
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
    # nothing became live markup: only the report's own scripts, no event handler in the DOM
    assert_own_scripts_only(live)
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


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium driven over the DevTools protocol (closed after the test)."""
    pytest.importorskip("websocket")
    driven = Browser(chromium(), tmp_path / "profile-driven")
    yield driven
    driven.close()


class Browser:
    """Headless Chromium driven over the DevTools protocol: navigate, click, type, read, screenshot."""

    def __init__(self, binary: str, profile: Path):
        import websocket

        profile.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--disable-default-apps", "--disable-extensions",
             "--window-size=1280,900", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and len(port_file.read_text().split()) == 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                pytest.fail("chromium did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().split()
        self.events: list[dict] = []
        self._id = 0
        try:
            self.socket = websocket.create_connection(
                f"ws://127.0.0.1:{port}{path}", timeout=30, suppress_origin=True
            )
            target = self.send("Target.createTarget", url="about:blank", session=False)
            self.session = self.send(
                "Target.attachToTarget", targetId=target["targetId"], flatten=True, session=False
            )["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable")
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
        except Exception:
            self.close()  # no browser left running
            raise

    def send(self, method: str, *, session: bool = True, **params) -> dict:
        self.socket.settimeout(30)
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if event["method"] == method:
                    self.events.remove(event)
                    return event
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.socket.recv()))
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Scroll the element into view and click its centre with the mouse."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )

    def type(self, selector: str, text: str) -> None:
        self.click(selector)
        for char in text:
            self.send("Input.dispatchKeyEvent", type="keyDown", text=char)
            self.send("Input.dispatchKeyEvent", type="keyUp")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(
            base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        )
        return path

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and policy violations seen so far."""
        self.js("0")  # drain pending events
        found = []
        for event in self.events:
            p = event.get("params", {})
            if event["method"] == "Page.javascriptDialogOpening":
                found.append(f"dialog: {p.get('message')}")
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(str(p["exceptionDetails"]))
            elif event["method"] == "Runtime.consoleAPICalled" and p.get("type") in (
                "error",
                "assert",
            ):
                found.append(str(p.get("args")))
            elif event["method"] == "Log.entryAdded" and p["entry"]["level"] in (
                "error",
                "warning",
            ):
                found.append(p["entry"]["text"])
        return found

    def requests(self) -> list[str]:
        """The URLs the page asked for, except itself and its data: images."""
        urls = [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]
        return [u for u in urls if not u.startswith(("data:", "file:"))]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.socket.close()  # absent when the connection failed
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def report_data(page: str) -> dict:
    block = page.partition('<script type="application/json" id="report-data">')[2]
    return json.loads(block.partition("</script>")[0])


def listed(browser: Browser) -> list[str]:
    """The titles the open panel lists."""
    assert browser.js("document.getElementById('drill-panel').hidden") is False
    return browser.js(
        "Array.from(document.querySelectorAll('#drill-panel .drill-title')).map(e => e.textContent)"
    )


def titles_of(data: dict, name: str, key: list[str]) -> list[str]:
    fields = data["articles"]["fields"]
    cell = next(c for c in data["sections"][name]["cells"] if c[0] == key)
    return [data["articles"]["rows"][i][fields.index("title")] for i in cell[2]]


@pytest.mark.browser
@pytest.mark.slow
def test_drilldown_lists_the_articles_behind_a_cell(
    hostile_report, hostile_corpus, browser, tmp_path
):
    from analysis import open_corpus, tokenize
    from analysis.text.variants import fold_map

    page = (hostile_report / "report.html").read_text(encoding="utf-8")
    data = report_data(page)
    articles = open_corpus(hostile_corpus)
    title = dict(zip(articles["article_id"], articles["title"]))
    browser.open((hostile_report / "report.html").resolve().as_uri())
    # the findings are read whole, never in a scroll box however many there are
    assert (
        browser.js(
            "getComputedStyle(document.querySelector('.report-findings').parentElement).maxHeight"
        )
        == "none"
    )
    # every row of a table that drills down opens its articles; a chart gets buttons
    wired = browser.js(
        "Array.from(document.querySelectorAll('.report-drill')).map(m => { const c = m.closest('.jp-Cell');"
        " return [m.id, c.querySelectorAll('tr.drill-open').length, c.querySelectorAll('tbody tr').length,"
        " c.querySelectorAll('.drill-button').length]; })"
    )
    assert {name for name, *_ in wired} >= {
        "drill-volume",
        "drill-keyness",
        "drill-tone",
        "drill-sources",
        "drill-topics",
        "drill-actors",
        "drill-places",
    }
    for name, opening, rows, buttons in wired:
        assert opening == rows and (rows or buttons), name

    # a heat-map cell: the button of one outlet and day (the report's period is "D") lists
    # the articles of that outlet published that day
    key = browser.js(
        "document.querySelector('#drill-volume').closest('.jp-Cell').querySelector('.drill-button').textContent"
    )
    browser.click("#drill-volume ~ * .drill-button, .jp-Cell:has(#drill-volume) .drill-button")
    outlet, day = data["sections"]["volume"]["cells"][0][0]
    assert key.startswith(day)
    start = pd.Timestamp(day, tz="UTC")
    expected = articles[
        (articles["outlet"] == outlet)
        & (articles["published"] >= start)
        & (articles["published"] < start + pd.Timedelta(days=1))
    ]
    assert sorted(listed(browser)) == sorted(expected["title"]) and len(expected) > 0
    browser.screenshot(tmp_path / "heatmap-cell.png")
    browser.click(".drill-close")

    # a keyness bar: the articles of the group that use the term (British and American
    # spellings of a word are one term: "harbour" is counted as "harbor")
    browser.click(".jp-Cell:has(#drill-keyness) .drill-button")
    (group, term), count, _ = data["sections"]["keyness"]["cells"][0]
    fold = fold_map("default")
    using = [
        t
        for o, t, x in zip(articles["outlet"], articles["title"], articles["text"])
        if o == group and term in {fold.get(w, w) for w in tokenize(x)}
    ]
    assert sorted(listed(browser)) == sorted(using) and count == len(using) > 0
    browser.screenshot(tmp_path / "keyness-bar.png")
    browser.click(".drill-close")

    # a table row: the articles quoting one source, as the CSV beside the report lists them
    row = browser.js(
        "Array.from(document.querySelector('.jp-Cell:has(#drill-sources) tr.drill-open').children).map(td => td.textContent)"
    )
    browser.click(".jp-Cell:has(#drill-sources) tr.drill-open")
    quoting = pd.read_csv(hostile_report / "drilldown" / "sources.csv")
    ids = quoting[(quoting["outlet"] == row[0]) & (quoting["speaker"] == row[2])]["article_id"]
    assert sorted(listed(browser)) == sorted(title[i] for i in ids) and len(ids) > 0
    assert sorted(listed(browser)) == sorted(titles_of(data, "sources", [row[0], row[2]]))
    browser.screenshot(tmp_path / "table-row.png")
    browser.click(".drill-close")

    # a row of the actors table: the articles of that outlet naming the person (every
    # article quotes Dmytro Kuleba), the same as the CSV beside the report
    heads = browser.js(
        "Array.from(document.querySelectorAll('.jp-Cell:has(#drill-actors) thead th')).map(th => th.textContent)"
    )
    rows = browser.js(
        "Array.from(document.querySelectorAll('.jp-Cell:has(#drill-actors) tbody tr')).map(tr => Array.from(tr.children).map(td => td.textContent))"
    )
    n = next(i for i, r in enumerate(rows) if r[heads.index("actor")] == "Dmytro Kuleba")
    outlet = rows[n][heads.index("outlet")]
    browser.click(f".jp-Cell:has(#drill-actors) tbody tr:nth-child({n + 1})")
    naming = articles[(articles["outlet"] == outlet) & articles["text"].str.contains("Kuleba")]
    assert sorted(listed(browser)) == sorted(naming["title"]) and len(naming) == 8
    named = pd.read_csv(hostile_report / "drilldown" / "actors.csv")
    named = named[(named["outlet"] == outlet) & (named["actor"] == "Dmytro Kuleba")]
    assert sorted(named["article_id"]) == sorted(naming["article_id"])
    browser.screenshot(tmp_path / "actor-row.png")
    browser.click(".drill-close")

    # the article browser: typing narrows the list to the articles holding every word
    browser.type(".browser-search", "talks stall")
    shown = browser.js(
        "Array.from(document.querySelectorAll('.browser-row .drill-title')).map(e => e.textContent)"
    )
    fields = data["articles"]["fields"]
    wanted = [r[fields.index("title")] for r in data["articles"]["rows"]
              if all(w in " ".join(str(r[fields.index(f)] or "") for f in ("title", "outlet", "kwic")).lower() for w in ("talks", "stall"))]  # fmt: skip
    assert sorted(shown) == sorted(wanted) and any(IMG in t for t in shown)
    assert browser.js("document.querySelector('.browser-status').textContent").startswith(
        f"{len(wanted)} of {len(data['articles']['rows'])}"
    )
    browser.screenshot(tmp_path / "article-browser.png")

    # the hostile titles showed as text; nothing ran, nothing was fetched, nothing logged
    assert browser.js("document.querySelectorAll(\"img:not([src^='data:'])\").length") == 0
    assert browser.problems() == [] and browser.requests() == []


#: Titles that try to leave the JSON block, open a comment, break a line in a script, run
#: a handler, or overflow the panel; and a URL that would run script if it became a link.
HOSTILE_TITLES = [
    "</script><script>window.pwned = 1; alert(1)</script>",
    "<!-- <script>window.pwned = 2</script>",
    "Talks\u2028resume\u2029today",
    '<img src=x onerror="window.pwned = 3; alert(3)">',
    "\" onmouseover='alert(4)' data-x=\"",
    "W" * 5000,
    ("Talks stall " * 420)[:5000],
]


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_fields_stay_text_in_the_panels(browser, tmp_path):
    import nbformat

    from analysis.report.display import show_table
    from analysis.report.drilldown import drilldown, drilldown_articles
    from analysis.report.render import render_html

    n = len(HOSTILE_TITLES)
    articles = pd.DataFrame(
        {
            "article_id": [f"h{i}" for i in range(n)],
            "title": HOSTILE_TITLES,
            "outlet": HOSTILE_TITLES[::-1],
            "published": pd.date_range("2022-03-01", periods=n, freq="D", tz="UTC"),
            "url": [
                "javascript:alert(5)",
                "https://news.example/a",
                "data:text/html,x",
                *[None] * (n - 3),
            ],
        }
    )
    table = pd.DataFrame(
        {"title": HOSTILE_TITLES, "articles": 1, "article_ids": [[f"h{i}"] for i in range(n)]}
    )
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("## A table"))
    rows = nbformat.v4.new_code_cell("")
    rows.outputs = [
        nbformat.v4.new_output("display_data", data=drilldown(table, name="rows", show=False)),
        nbformat.v4.new_output("execute_result", data={"text/html": show_table(table.drop(columns="article_ids"))._repr_html_()}, execution_count=1),
    ]  # fmt: skip
    chart = nbformat.v4.new_code_cell("")
    chart.outputs = [nbformat.v4.new_output("display_data", data=drilldown(table.assign(outlet=HOSTILE_TITLES[::-1]), name="chart", keys=["outlet", "title"], show=False))]  # fmt: skip
    browser_cell = nbformat.v4.new_code_cell("")
    browser_cell.outputs = [
        nbformat.v4.new_output("display_data", data=drilldown_articles(articles, show=False))
    ]
    nb.cells += [rows, nbformat.v4.new_markdown_cell("## A chart"), chart, nbformat.v4.new_markdown_cell("## Articles"), browser_cell]  # fmt: skip
    page = tmp_path / "report.html"
    page.write_text(render_html(nb, title="Hostile </script>"), encoding="utf-8")
    assert_offline_and_inert(page.read_text(encoding="utf-8"))

    browser.open(page.resolve().as_uri())
    assert browser.js("document.querySelectorAll('tr.drill-open').length") == n
    assert browser.js("document.querySelectorAll('.drill-button').length") == n
    for i, title in enumerate(HOSTILE_TITLES):
        for opener in (
            f"tr.drill-open:nth-child({i + 1})",
            f".drill-group:nth-of-type({i + 1}) .drill-button",
        ):
            browser.click(opener)
            assert listed(browser) == [title if len(title) <= 300 else title[:299] + "\u2026"]
            fits = browser.js(
                "(() => { const p = document.getElementById('drill-panel');"
                " return [p.scrollWidth <= p.clientWidth, document.documentElement.scrollWidth <= innerWidth]; })()"
            )
            assert fits == [True, True], (opener, fits)
            if i == 5:
                browser.screenshot(tmp_path / "long-title.png")
            browser.click(".drill-close")
    # only the http(s) address became a link; the article browser lists every title as text
    links = browser.js(
        "Array.from(document.querySelectorAll('#report-browser a, #drill-panel a')).map(a => a.href)"
    )
    assert links == ["https://news.example/a"]
    shown = browser.js(
        "Array.from(document.querySelectorAll('.browser-row .drill-title')).map(e => e.textContent)"
    )
    assert sorted(shown) == sorted(
        t if len(t) <= 300 else t[:299] + "\u2026" for t in HOSTILE_TITLES
    )
    browser.type(".browser-search", "resume")  # one title, and the outlet of another article
    assert browser.js("document.querySelectorAll('.browser-row').length") == 2
    browser.screenshot(tmp_path / "hostile-browser.png")
    assert browser.js("window.pwned === undefined && document.querySelectorAll('img').length === 0")
    assert browser.problems() == [] and browser.requests() == []
