"""The notebooks: thin and committed clean, and every one runs as a report with papermill."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.paths import repo_path, sample_inputs
from analysis.report import params
from analysis.report import run as reporting

NOTEBOOKS = sorted(repo_path("notebooks").glob("*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]


def test_the_three_notebooks_exist():
    assert {"coverage_report", "explore", "compare"} <= set(NAMES)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_is_thin_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    cells = code_cells(nb)
    for cell in cells:  # committed with outputs stripped
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and cells[0] is tagged[0]
    imports = [c for c in cells if "imports" in c.metadata.get("tags", [])]
    assert len(imports) == 1 and cells[1] is imports[0]
    for stmt in ast.parse(imports[0].source).body:
        assert isinstance(stmt, (ast.Import, ast.ImportFrom))
    for cell in cells[2:]:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert "sys.path" not in cell.source and "../" not in cell.source
        assert len(cell.source.splitlines()) <= 4, cell.source
    # every parameter typed, with a help comment
    spec = params.read_parameters(path)
    assert spec and all(p.help for p in spec)
    assert {"corpus", "output_dir"} <= {p.name for p in spec}


@pytest.fixture(scope="module")
def bundled_corpus(tmp_path_factory):
    """The bundled inputs (data/sample and the seed) ingested as the reports read them."""
    from analysis import ingest

    corpus = tmp_path_factory.mktemp("bundled") / "corpus"
    ingest(sample_inputs(), corpus, progress=False)
    return corpus


def check_report(folder: Path, status: str = "ok") -> str:
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == status, run.get("error")
    page = (folder / "report.html").read_text(encoding="utf-8")
    executed = nbformat.read(folder / f"{folder.parent.name}.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors and "Traceback" not in page
    streams = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert not [t for t in streams if "IProgress not found" in t]  # no tqdm noise
    pngs = sorted((folder / "figures").glob("*.png")) if (folder / "figures").exists() else []
    for png in pngs:  # every figure comes with the numbers behind it
        assert png.with_suffix(".csv").is_file(), png.name
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) >= len(pngs)
    return page


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_the_bundled_corpus(name, bundled_corpus, tmp_path):
    folder = reporting.run_report(name, corpus=bundled_corpus, out=tmp_path, name="bundled")
    page = check_report(folder)
    assert "<h2" in page and 'class="report-toc"' in page
    heading = nbformat.read(repo_path("notebooks", f"{name}.ipynb"), as_version=4).cells[0].source
    title = json.loads((folder / "run.json").read_text())["title"]
    assert f"<title>{title}</title>" in page
    assert len(re.findall(r"<h1[ >]", page)) == 1  # the title once, not again from the notebook
    if name == "explore":  # no title parameter: the notebook's heading names the report
        assert heading == f"# {title}"
    if name == "validation":  # no codes yet: the sample is drawn and the sheets written
        assert re.search(r"Code sheets for \d+ units were written to coding/", page)
        assert {"codes_coder1.xlsx", "codes_coder2.csv", "design.csv", "instructions.txt"} <= {
            p.name for p in (folder / "coding").iterdir()
        }
        assert "No filled code sheets were given" in page
    if name == "coverage_report":
        figures = {p.stem for p in (folder / "figures").glob("*.png")}
        assert {"volume", "top_terms", "query_trends", "tone_by_group", "tone_over_time"} <= figures
        assert "attention" in figures and "Attention over time" in page
        # the chart's numbers: every outlet in every week, N and the share's interval
        drawn = pd.read_csv(folder / "figures" / "attention.csv")
        assert {"matching", "total", "share", "low", "high", "peak"} <= set(drawn.columns)
        assert (drawn["low"].dropna() <= drawn["share"].dropna()).all()
        # the bundled outlets appear in the corpus table
        assert "Harbor City Tribune" in page and "Continental Wire Service" in page
    if name in ("compare", "explore"):  # attention to the query, with the numbers behind it
        drawn = pd.read_csv(folder / "figures" / "attention.csv")
        assert "Attention over time" in page and (drawn["matching"] <= drawn["total"]).all()
        assert drawn["matching"].sum() > 0
    if name == "compare":  # one line per compared group, and the stories behind the peaks
        assert drawn["group"].nunique() == 2
        assert "The stories behind each peak" in page
    if name in ("compare", "explore"):  # who and where: actors and places, with a map
        assert "Who and where" in page and "PERSON" in page
        assert name != "compare" or "Volodymyr Zelensky" in page
        places = pd.read_csv(folder / "figures" / "place_map.csv")
        assert "Kyiv" in set(places["place"])
        assert name != "compare" or places["group"].nunique() == 2
    if name == "compare":  # who is named with whom: one panel per group, the pairs behind it
        edges = pd.read_csv(folder / "figures" / "co_mentions.csv")
        assert edges["group"].nunique() == 2 and (edges["weight"] >= 1).all()
        assert (folder / "figures" / "co_mentions.png").is_file()
    if name == "compare":  # each topic's gap between the two groups, with its interval
        gap = pd.read_csv(folder / "figures" / "topics_difference.csv")
        assert "What the coverage is about" in page and gap["a"].nunique() == 1
        assert ((gap["low"] <= gap["difference"]) & (gap["difference"] <= gap["high"])).all()
    if name == "coverage_report":  # the k chart, with the scores behind it
        ks = pd.read_csv(folder / "figures" / "topics_k.csv")
        assert ks["chosen"].sum() == 1 and "largest" in ks.columns
    if name == "explore":  # topics with k chosen and the reason given
        assert "coherence x exclusivity" in page


def test_empty_selection_gives_a_notice(bundled_corpus, tmp_path):
    folder = reporting.run_report(
        "coverage_report",
        corpus=bundled_corpus,
        out=tmp_path,
        name="empty",
        parameters={"date_range": "1999"},
    )
    page = check_report(folder, status="no-articles")
    assert "No articles are left in the selection" in page
    assert "Volume over time" not in page  # the analyses after the selection are left out


@pytest.mark.slow
@pytest.mark.corpora
def test_coverage_report_on_the_ukraine_corpus(ukraine_dir, tmp_path):
    from analysis import ingest

    corpus = tmp_path / "ukraine"
    ingest([ukraine_dir / "data"], corpus, progress=False)
    outlets = ["bbc", "guardian", "RT", "Reuters", "AssociatedPress", "DailyMail", "CNN"]
    folder = reporting.run_report(
        "coverage_report",
        corpus=corpus,
        out=tmp_path / "reports",
        name="ukraine",
        parameters={
            "outlets": outlets,
            "query": ["ceasefire", "grain"],
            "period": "M",
            "who": False,
        },
    )
    page = check_report(folder)
    run = json.loads((folder / "run.json").read_text())
    assert run["corpus"]["fingerprint"]
    figures = {p.stem for p in (folder / "figures").glob("*.png")}
    assert {"volume", "top_terms", "keyness", "tone_over_time"} <= figures
    for outlet in ("AssociatedPress", "DailyMail", "Reuters", "NYT"):
        assert outlet in page  # the corpus table lists every outlet, NYT included
    # the charts after the selection read only the chosen outlets
    volume = (folder / "figures" / "volume.csv").read_text()
    assert "NYT" not in volume and "bbc" in volume
    # the same report on Dask (a local cluster of worker processes, which are daemonic
    # and may not start processes of their own) gives the same figures, byte for byte
    on_dask = reporting.run_report(
        "coverage_report",
        corpus=corpus,
        out=tmp_path / "reports",
        name="ukraine-dask",
        parameters={
            "outlets": outlets,
            "query": ["ceasefire", "grain"],
            "period": "M",
            "engine": "dask",
            "who": False,  # names are recognised on the bundled corpus; here they would double the time
        },
    )
    check_report(on_dask)
    csvs = sorted(p.name for p in (folder / "figures").glob("*.csv"))
    assert csvs and csvs == sorted(p.name for p in (on_dask / "figures").glob("*.csv"))
    for name in csvs:
        assert (on_dask / "figures" / name).read_bytes() == (folder / "figures" / name).read_bytes()


@pytest.fixture(scope="module")
def undated_corpus(tmp_path_factory):
    """Two outlets of our own, no publication dates and nobody quoted."""
    import pandas as pd

    from analysis import ingest

    folder = tmp_path_factory.mktemp("undated")
    rows = [
        ("Quiet Gazette", "Harbour works", "The new harbour wall was finished this week."),
        ("Quiet Gazette", "Rain", "Heavy rain closed two roads near the river at dawn."),
        ("Other Sheet", "Market day", "Stalls filled the square and bread cost a little more."),
    ]
    pd.DataFrame(rows, columns=["outlet", "title", "text"]).to_csv(folder / "a.csv", index=False)
    ingest([folder / "a.csv"], folder / "corpus", progress=False)
    return folder / "corpus"


NO_QUERY = "No query terms were given."
UNDATED = "No article of the selection has a publication date."


@pytest.mark.parametrize(
    "name, corpus, parameters, sentences",
    [
        (
            "coverage_report",
            "bundled",
            {"query": ""},
            [NO_QUERY, "No dictionary and no query terms were given.", "Nothing to draw"],
        ),
        ("explore", "bundled", {"query": ""}, [NO_QUERY]),
        pytest.param(
            "compare",
            "bundled",
            {"query": "", "who": False},
            [NO_QUERY, "Left out (who=False)."],
            marks=pytest.mark.slow,
        ),
        ("coverage_report", "undated", {}, [UNDATED, "No quotes found."]),
        ("compare", "undated", {}, [UNDATED, "No quotes found."]),
        ("explore", "undated", {}, ["No article has a publication date.", "No quotes found."]),
    ],
    ids=[
        "coverage-no-query",
        "explore-no-query",
        "compare-no-query",
        "coverage-undated",
        "compare-undated",
        "explore-undated",
    ],
)
def test_sections_with_nothing_to_show_say_so(
    name, corpus, parameters, sentences, bundled_corpus, undated_corpus, tmp_path
):
    corpus = bundled_corpus if corpus == "bundled" else undated_corpus
    folder = reporting.run_report(
        name, corpus=corpus, out=tmp_path, name="t", parameters=parameters
    )
    page = check_report(folder)
    for sentence in sentences:
        assert sentence in page
    for csv in (folder / "figures").glob("*.csv"):  # no chart was drawn from an empty table
        assert len(csv.read_text().splitlines()) > 1, csv.name


def test_coverage_report_takes_a_query_string_and_can_keep_only_its_stories(
    bundled_corpus, tmp_path
):
    """The report's query is a query: its terms are read in context, story_only selects by it."""
    import pandas as pd

    folder = reporting.run_report(
        "coverage_report",
        corpus=bundled_corpus,
        out=tmp_path,
        name="story",
        parameters={"query": '"peace talks" OR ceasefire NOT markets', "story_only": True},
    )
    page = check_report(folder)
    assert "peace talks" in page  # a phrase of the query read in context
    trends = pd.read_csv(folder / "figures" / "query_trends.csv")
    assert set(trends["term"]) == {"peace talks", "ceasefire"}  # not the NOT term
    attention = pd.read_csv(folder / "figures" / "attention.csv")
    assert (attention["share"].dropna() < 1).any()  # attention is over the whole selection
    # the old form of a list of words still works, as any of them
    typed, _ = params.validate_parameters("coverage_report", {"query": ["ceasefire", "grain deal"]})
    assert typed["query"] == 'ceasefire OR "grain deal"'


def _fill_sheets(folder: Path, tones: dict[str, int]) -> dict[str, set[str]]:
    """Two coders fill their CSV sheets: one agrees with ``tones``, the other strays on some units."""
    import csv

    split: dict[str, set[str]] = {"frame": set(), "tone": set()}
    frames = ["military", "humanitarian", "diplomacy", "economy"]
    for coder in ("coder1", "coder2"):
        path = folder / f"codes_{coder}.csv"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        for row in body:
            unit = row[header.index("unit")]
            rank = sorted(tones).index(unit)
            frame, tone = frames[rank % 4], tones[unit]
            if coder == "coder2" and rank % 4 == 3:  # reads economy as diplomacy
                frame = "diplomacy"
                split["frame"].add(unit)
            if coder == "coder2" and rank % 3 == 0:  # one step more positive
                tone = min(tone + 1, 5)
                if tone != tones[unit]:
                    split["tone"].add(unit)
            row[header.index("frame")] = frame
            row[header.index("tone")] = str(tone)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *body])
    return split


@pytest.mark.slow
def test_validation_report_reads_filled_sheets_and_keeps_the_validation(bundled_corpus, tmp_path):
    """Reliability, disagreements and VADER's agreement per outlet, saved for the coverage report."""
    import shutil

    import analysis

    corpus = tmp_path / "corpus"  # the validation is saved into the corpus: a copy of our own
    shutil.copytree(bundled_corpus, corpus)
    assert analysis.load_validation(corpus) is None
    design = {"sample_size": 12, "strata": ["outlet"], "overlap": 1.0, "seed": 3}
    # the sheets the report writes without codes (the run on the bundled corpus checks that)
    articles = analysis.open_corpus(corpus)
    sample = analysis.coding_sample(articles, 12, strata=["outlet"], seed=3)
    book = analysis.read_codebook(analysis.EXAMPLE_CODEBOOK)
    analysis.sheets_for_report(sample, book, ["coder1", "coder2"], tmp_path, overlap=1.0, seed=3)
    sheets = tmp_path / "coding"
    # the coders' tone follows VADER's reading of each article, with some disagreements
    units = pd.read_csv(sheets / "design.csv")["unit"].astype(str)
    coded = articles[articles["article_id"].isin(set(units))]
    scores = analysis.article_sentiment(coded).set_index("article_id")["compound"]
    tones = {u: 1 + sum(scores[u] > cut for cut in (-0.6, -0.2, 0.2, 0.6)) for u in units}
    split = _fill_sheets(sheets, tones)
    assert split["frame"] and split["tone"]

    folder = reporting.run_report(
        "validation",
        corpus=corpus,
        out=tmp_path / "reports",
        name="coded",
        parameters={**design, "codes": str(sheets)},
    )
    page = check_report(folder)
    assert "No filled code sheets were given" not in page
    assert "Codes of 2 coders (coder1, coder2) on 12 units" in page
    assert "every coded unit is in the sample drawn above" in page
    assert "Krippendorff" in page and "civilian_voice" not in page  # left blank: not measured
    assert "pearson" in page and "humans" in page  # the agreement table
    for unit in split["frame"] | split["tone"]:  # the disagreements to read
        assert unit in page
    agreed = set(units) - split["frame"] - split["tone"]
    assert agreed and not [u for u in agreed if u in page]
    assert "Meridian Daily" in page  # agreement per outlet
    saved = analysis.load_validation(corpus)
    assert saved.attrs["name"] == "vader-tone"
    figures = saved.set_index("measure")
    n_units = int(figures.loc["n_units", "value"])
    assert n_units + figures.loc["tied_units", "value"] == 12
    assert figures.loc["spearman", "value"] > 0.5  # the coders read the tone VADER reads
    assert 0 < figures.loc["alpha_humans", "value"] < 1

    # the coverage report's method notes cite it, or say there is none
    notebook = nbformat.read(repo_path("notebooks", "coverage_report.ipynb"), as_version=4)
    cell = next(c for c in notebook.cells if c.get("id") == "coverage-validation-note")
    cited = repr(eval(cell.source, {"analysis": analysis, "corpus": str(corpus)}))
    assert cited.startswith("Validated against human codes") and f"of {n_units} units" in cited
    none = repr(eval(cell.source, {"analysis": analysis, "corpus": str(tmp_path)}))
    assert none == "No validation on record."


@pytest.mark.parametrize("name", ["explore", "compare"])
def test_explore_and_compare_take_a_query_string(name):
    """Their query is a query string as in the coverage report; a list of words is any of them."""
    typed, _ = params.validate_parameters(name, {"query": ["ceasefire", "grain deal"]})
    assert typed["query"] == 'ceasefire OR "grain deal"'
    typed, _ = params.validate_parameters(name, {"query": "negotiat* AND NOT title:opinion"})
    assert typed["query"] == "negotiat* AND NOT title:opinion"
    with pytest.raises(ParameterError, match="column"):
        params.validate_parameters(name, {"query": "ceasefire AND"})
