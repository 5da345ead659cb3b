"""Drill-down data of a report: one escaped JSON block, a capped sample, a strict policy."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis import ParameterError
from analysis.report.display import show_findings, show_table
from analysis.report.drilldown import (
    MIME_ARTICLES,
    MIME_CELLS,
    SCRIPT_PATH,
    collect,
    drilldown,
    drilldown_articles,
    inject,
    json_for_html,
)

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!-- <script>",
    "line\u2028break\u2029para",
    '<img src=x onerror="alert(2)">',
    "\" onmouseover='alert(3)' x=\"",
    "&lt;b&gt; &amp; ]]>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_json_for_html_cannot_leave_its_script_element(text):
    written = json_for_html({"title": text, "list": [text]})
    assert not set("<>&\u2028\u2029") & set(written)
    assert json.loads(written) == {"title": text, "list": [text]}


def articles(n: int, *, title=lambda i: f"Talks day {i}") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": [f"a{i:05d}" for i in range(n)],
            "title": [title(i) for i in range(n)],
            "outlet": [("Harbour Post", "Valley Times")[i % 2] for i in range(n)],
            "published": pd.date_range("2022-03-01", periods=n, freq="h", tz="UTC"),
            "url": [f"https://news.example/{i}" if i % 3 else None for i in range(n)],
            "story_id": [f"a{i - i % 4:05d}" for i in range(n)],
        }
    )


def test_drilldown_cells_are_keyed_as_the_table_prints_them(tmp_path):
    table = pd.DataFrame(
        {
            "outlet": ["Harbour  Post", "Valley Times"],
            "period": [pd.Timestamp("2022-03-07"), pd.Timestamp("2022-03-14 10:30")],
            "articles": [2, 1],
            "article_ids": [["a1", "a2"], np.array(["a3"])],
        }
    )
    bundle = drilldown(table, name="volume", output_dir=tmp_path, show=False)
    data = bundle[MIME_CELLS]
    assert data["keys"] == ["outlet", "period"]  # text and date columns by default
    assert data["cells"] == [
        [["Harbour Post", "2022-03-07"], ["a1", "a2"]],
        [["Valley Times", "2022-03-14 10:30"], ["a3"]],
    ]
    assert bundle["text/html"] == '<div class="report-drill" id="drill-volume"></div>'
    written = pd.read_csv(tmp_path / "drilldown" / "volume.csv")
    assert written["article_id"].tolist() == ["a1", "a2", "a3"]
    # one id per row (a table of stories) works as a list of one
    one = drilldown(table.assign(article_ids=["a9", None]), name="one", show=False)
    assert [c[1] for c in one[MIME_CELLS]["cells"]] == [["a9"], []]
    assert drilldown(table.head(0), name="empty", show=False) is None


@pytest.mark.parametrize(
    "options, message",
    [
        ({"name": "../x"}, "drilldown name '../x'"),
        ({"name": "v", "ids_column": "ids"}, "no column 'ids'"),
        ({"name": "v", "keys": ["speaker"]}, "keys speaker not in the table"),
    ],
)
def test_drilldown_names_what_is_wrong(options, message):
    table = pd.DataFrame({"outlet": ["A"], "article_ids": [["a1"]]})
    with pytest.raises(ParameterError, match=re.escape(message)):
        drilldown(table, show=False, **options)


def test_articles_are_capped_by_a_seeded_sample_and_listed_whole_beside(tmp_path):
    table = articles(30)
    tone = pd.DataFrame({"article_id": table["article_id"], "compound": np.linspace(-1, 1, 30)})
    contexts = pd.DataFrame(
        {"article_id": ["a00004", "a00004"], "left": ["x" * 200, "y"], "match": ["talks", "z"], "right": ["stall here", "w"]}
    )  # fmt: skip
    bundle = drilldown_articles(
        table, tone=tone, contexts=contexts, cap=10, output_dir=tmp_path, show=False
    )
    data = bundle[MIME_ARTICLES]
    rows = [dict(zip(data["fields"], r)) for r in data["rows"]]
    assert len(rows) == 10 and data["total"] == 30
    assert "embeds 10 of the 30 articles, a random sample (seed 0)" in data["note"]
    again = drilldown_articles(table, tone=tone, cap=10, show=False)[MIME_ARTICLES]
    assert [r[0] for r in again["rows"]] == [r["id"] for r in rows]  # the same sample
    other = drilldown_articles(table, cap=10, seed=1, show=False)[MIME_ARTICLES]
    assert [r[0] for r in other["rows"]] != [r["id"] for r in rows]
    full = pd.read_csv(tmp_path / "drilldown" / "articles.csv")
    assert len(full) == 30 and set(full["id"]) >= {r["id"] for r in rows}
    whole = drilldown_articles(table, tone=tone, contexts=contexts, show=False)[MIME_ARTICLES]
    by_id = {r[0]: dict(zip(whole["fields"], r)) for r in whole["rows"]}
    assert by_id["a00004"]["kwic"] == "\u2026" + "x" * 80 + " [talks] stall here\u2026"
    assert by_id["a00029"]["tone"] == 1.0 and by_id["a00000"]["tone"] == -1.0
    assert by_id["a00000"]["url"] is None and by_id["a00001"]["url"] == "https://news.example/1"
    assert by_id["a00001"]["date"] == "2022-03-01" and by_id["a00005"]["story"] == "a00004"
    with pytest.raises(ParameterError, match="cap=0"):
        drilldown_articles(table, cap=0, show=False)


def notebook(table: pd.DataFrame, *, cells: list) -> nbformat.NotebookNode:
    """A small executed notebook: a table with its drill-down, then the articles."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("## Sources"))
    code = nbformat.v4.new_code_cell("")
    code.outputs = [
        nbformat.v4.new_output("display_data", data=bundle)
        for bundle in cells
    ]  # fmt: skip
    nb.cells.append(code)
    articles_cell = nbformat.v4.new_code_cell("")
    articles_cell.outputs = [
        nbformat.v4.new_output("display_data", data=drilldown_articles(table, show=False))
    ]
    nb.cells.append(articles_cell)
    return nb


def test_collect_refers_to_embedded_articles_by_position():
    table = articles(6)
    cells = pd.DataFrame({"outlet": ["A", "B"], "article_ids": [["a00003", "zzz", "a00001"], []]})
    nb = notebook(table, cells=[drilldown(cells, name="sources", show=False)])
    data = collect(nb)
    assert data["sections"]["sources"]["cells"] == [[["A"], 3, [3, 1]], [["B"], 0, []]]
    assert [r[0] for r in data["articles"]["rows"]] == list(table["article_id"])
    nb.cells.pop()  # no articles embedded: nothing to drill into
    assert collect(nb) is None


def test_inject_adds_a_policy_the_data_and_our_script_only():
    script = SCRIPT_PATH.read_text(encoding="utf-8")
    page = (
        "<head><!--report-csp--></head><body><p><!--report-drill--></p><!--report-drill--></body>"
    )
    cells = pd.DataFrame({"outlet": ["A"], "article_ids": [["a00000"]]})
    hostile = articles(3, title=lambda i: HOSTILE[i])
    done = inject(page, notebook(hostile, cells=[drilldown(cells, name="s", show=False)]))
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        f"style-src 'unsafe-inline'; script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'\">"
    ) in done
    # the block replaces the last placeholder, before </body>; the first stays a comment
    assert (
        done.endswith(f"<script>{script}</script></body>") and "<p><!--report-drill--></p>" in done
    )
    block = done.partition('id="report-data">')[2].partition("</script>")[0]
    assert [r[1] for r in json.loads(block)["articles"]["rows"]] == HOSTILE[:3]
    assert done.count("<script") == 2
    # a page without drill-down data allows no script at all
    bare = inject(page, nbformat.v4.new_notebook())
    assert "script-src 'none'" in bare and "<script" not in bare


def test_ten_thousand_articles_embed_under_the_size_cap():
    """The embedded data of a 10,000-article report (cap 5,000) stays far below 5 MB."""
    n = 10_000
    table = articles(
        n, title=lambda i: f"Talks in Istanbul stall again as envoys trade blame, day {i}"
    )
    table["url"] = [
        f"https://www.harbour-post.example/world/2022/03/talks-istanbul-{i}" for i in range(n)
    ]
    contexts = pd.DataFrame(
        {"article_id": table["article_id"], "left": "the delegations met for roughly three hours in the city and " * 2,
         "match": "ceasefire", "right": " and the talks are to resume on Monday, officials said" * 2}
    )  # fmt: skip
    tone = pd.DataFrame({"article_id": table["article_id"], "compound": np.linspace(-1, 1, n)})
    ids = table["article_id"].tolist()
    sections = [
        drilldown(pd.DataFrame({"outlet": [f"O{g}" for g in range(8)], "article_ids": [ids[g::8] for g in range(8)]}), name=name, show=False)
        for name in ("volume", "attention", "keyness", "tone", "sources")
    ]  # fmt: skip
    nb = notebook(table, cells=sections)
    nb.cells[-1].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data=drilldown_articles(table, tone=tone, contexts=contexts, show=False),
        )
    ]
    page = inject("<!--report-csp--><!--report-drill-->", nb)
    assert len(page.encode("utf-8")) < 2_500_000  # leaves room for the figures under 5 MB
    data = collect(nb)
    assert len(data["articles"]["rows"]) == 5000 and data["total"] == n
    assert all(
        len(c[2]) <= 500 and c[1] == n // 8 for s in data["sections"].values() for c in s["cells"]
    )


def test_findings_show_as_a_list_linking_to_sections():
    shown = show_findings([{"text": "A <b>", "section": "Keyness: what each group says"}])
    assert shown._repr_html_() == (
        '<ul class="report-findings"><li>A &lt;b&gt; '
        '<a href="#Keyness:-what-each-group-says">Keyness: what each group says</a></li></ul>'
    )
    assert "No finding passes" in show_findings([])._repr_html_()
    with pytest.raises(ParameterError, match="'text' and 'section'"):
        show_findings([{"text": "x"}])
    assert show_table(None)._repr_html_().startswith('<p class="report-empty">')
