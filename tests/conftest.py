"""Shared fixtures: tiny literal tables, the seed, and the real corpora (skipped when absent)."""

from __future__ import annotations

import os
import socket

import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from analysis.paths import repo_path, shared_corpus  # noqa: E402


def _corpus_or_skip(name: str):
    path = shared_corpus(name)
    if not path.is_dir():
        if os.environ.get("MCA_REQUIRE_CORPORA"):
            pytest.fail(f"shared corpus {name} missing at {path} (MCA_REQUIRE_CORPORA is set)")
        pytest.skip(f"shared corpus {name} not found at {path}; set MCA_SHARED_DATA to run")
    return path


@pytest.fixture(scope="session")
def ukraine_dir():
    """``../shared/corpora/ukraine_media_2022`` (skips when absent, fails under CI)."""
    return _corpus_or_skip("ukraine_media_2022")


@pytest.fixture(scope="session")
def extraction_dir():
    return _corpus_or_skip("article_extraction_benchmark")


@pytest.fixture(scope="session")
def reuters_dir():
    return _corpus_or_skip("reuters21578")


@pytest.fixture(scope="session")
def polnear_dir():
    return _corpus_or_skip("polnear")


@pytest.fixture(scope="session")
def newsmtsc_dir():
    return _corpus_or_skip("newsmtsc")


@pytest.fixture(scope="session")
def semeval2007_dir():
    return _corpus_or_skip("semeval2007")


@pytest.fixture(scope="session")
def ukraine_articles(ukraine_dir):
    """The Ukraine corpus loaded as the canonical articles table (loaded once per session)."""
    from analysis import load_articles

    return load_articles(ukraine_dir / "data")


@pytest.fixture(scope="session")
def seed_path():
    paths = sorted(repo_path("seeds").glob("*.txt"))
    assert paths, "seeds/ holds no seed document"
    return paths[0]


@pytest.fixture(scope="session")
def sample_articles():
    """The bundled invented corpus plus the seed, loaded."""
    from analysis import load_articles

    return load_articles([repo_path("data", "sample"), repo_path("seeds")])


@pytest.fixture(scope="session")
def sample_builder():
    """``data/build_sample.py`` imported as a module."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "build_sample", repo_path("data", "build_sample.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while executing
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="session")
def sample_with_bad_pages(sample_builder, tmp_path_factory):
    """The bundled corpus built afresh with an empty page and a furniture-only page."""
    folder = tmp_path_factory.mktemp("sample-bad") / "sample"
    sample_builder.build(folder, with_bad_pages=True)
    return folder


@pytest.fixture
def tiny_articles():
    """Four literal articles, two outlets, two days: for fast table-driven tests."""
    from analysis.schema import article_id, conform

    rows = [
        (
            "Alpha",
            "Talks stall",
            "Talks stall in Istanbul. Russia and Ukraine met on Tuesday.",
            "2022-03-28",
        ),
        ("Alpha", "Shelling", "Shelling hit Kharkiv. The mayor said 10 people died.", "2022-03-29"),
        ("Beta", "Talks resume", "Talks resume. Ukraine said the talks were useful.", "2022-03-28"),
        ("Beta", "Grain deal", "A grain deal was signed in Istanbul.", "2022-03-30"),
    ]
    df = pd.DataFrame(rows, columns=["outlet", "title", "text", "published"])
    df["article_id"] = [article_id(o, "", t, x) for o, t, x, _ in rows]
    df["date_source"] = "column"
    df["n_words"] = df["text"].str.split().str.len()
    return conform(df)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network and an empty HOME: any socket connection fails loudly."""

    def refuse(*args, **kwargs):
        raise OSError("network access attempted in an offline test")

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return tmp_path


@pytest.fixture
def codebook_from(tmp_path):
    """``codebook_from(yaml_text)``: the text written as ``codebook.yml`` and read back."""
    from analysis import read_codebook

    def read(text: str):
        path = tmp_path / "codebook.yml"
        path.write_text(text, encoding="utf-8")
        return read_codebook(path)

    return read
