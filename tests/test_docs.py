"""The code in docs/: every Python block runs as written, on a corpus of its own."""

from __future__ import annotations

import re

import pytest

from analysis.paths import repo_path

DOCS = sorted(repo_path("docs").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_docs_exist():
    assert [d.name for d in DOCS], "docs/ holds no pages"


@pytest.mark.parametrize("page", DOCS, ids=[d.name for d in DOCS])
def test_python_blocks_run(page, tmp_path, monkeypatch):
    from analysis import ingest

    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip(f"{page.name} has no Python block")
    for folder in ("data/corpus", "data/big"):  # the folders the examples open
        ingest([repo_path("seeds"), repo_path("data", "sample")], tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    try:
        for number, code in enumerate(blocks, 1):
            exec(compile(code, f"{page.name} block {number}", "exec"), namespace)
    finally:
        from distributed import get_client

        try:  # a block that opened a corpus on Dask started a local cluster
            client = get_client()
        except ValueError:
            pass
        else:
            client.close()
            client.cluster.close()
