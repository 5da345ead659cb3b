"""The reports index: every report under the reports folder, listed in one page."""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

import pandas as pd

from analysis.paths import (
    reports_dir,
    write_text,
)
from analysis.report.params import RUNNER_PARAMS
from analysis.report.render import TEMPLATE_NAME, TEMPLATES_DIR, utc_now

log = logging.getLogger(__name__)


def list_reports(root: str | Path | None = None) -> pd.DataFrame:
    """Return one row per finished report under ``root`` (newest first)."""
    root = Path(root) if root is not None else reports_dir()
    rows = []
    for run in sorted(root.glob("*/*/run.json")):
        if run.parent.name.startswith(".") or run.parent.parent.name == "failed":
            continue
        try:
            data = json.loads(run.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append(
            {
                "title": str(data.get("title", "")),
                "notebook": run.parent.parent.name,
                "name": run.parent.name,
                "date": str(data.get("finished") or data.get("started") or ""),
                "status": str(data.get("status", "")),
                "parameters": data.get("parameters") or {},
                "defaults": data.get("defaults") or {},
                "link": f"{run.parent.parent.name}/{run.parent.name}/report.html",
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["title", "notebook", "name", "date", "status", "parameters", "defaults", "link"],
    )
    return frame.sort_values("date", ascending=False, kind="stable").reset_index(drop=True)


def build_index(root: str | Path | None = None) -> Path:
    """Write ``<root>/index.html`` listing every report (all text escaped) and return its path."""
    from urllib.parse import quote

    root = Path(root) if root is not None else reports_dir()
    root.mkdir(parents=True, exist_ok=True)
    reports = list_reports(root)
    rows = []
    for r in reports.itertuples(index=False):
        changed = {
            k: v
            for k, v in r.parameters.items()
            if k not in RUNNER_PARAMS and r.defaults.get(k, object()) != v
        }
        params = "".join(
            f"<li><code>{html.escape(k)}</code> = {html.escape(json.dumps(v, ensure_ascii=False))}</li>"
            for k, v in changed.items()
        )
        corpus = r.parameters.get("corpus", "")
        rows.append(
            "<tr>"
            f'<td><a href="{html.escape(quote(r.link))}">{html.escape(r.title)}</a></td>'
            f"<td>{html.escape(r.notebook)}</td><td>{html.escape(r.name)}</td>"
            f"<td>{html.escape(r.date[:16].replace('T', ' '))}</td><td>{html.escape(r.status)}</td>"
            f"<td>{html.escape(Path(corpus).name if corpus else '')}</td>"
            f'<td><ul class="params">{params or "<li>defaults</li>"}</ul></td>'
            "</tr>"
        )
    css = (TEMPLATES_DIR / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    body = "\n".join(rows) or '<tr><td colspan="7">No report yet.</td></tr>'
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reports</title>
<style>{css}</style>
</head>
<body>
<main class="report">
<h1>Reports</h1>
<p>{len(reports)} report(s), newest first. Rebuilt {html.escape(utc_now()[:16].replace("T", " "))} UTC.</p>
<table class="report-table">
<thead><tr><th>Title</th><th>Notebook</th><th>Run</th><th>Finished (UTC)</th><th>Status</th>
<th>Corpus</th><th>Parameters changed from the defaults</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</main>
</body>
</html>
"""
    write_text(page, root / "index.html")
    return root / "index.html"
