"""The code in docs/: every Python block runs as written, on a corpus of its own."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest

from analysis.paths import repo_path

DOCS = sorted(repo_path("docs").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_docs_exist():
    assert [d.name for d in DOCS], "docs/ holds no pages"


@pytest.fixture(scope="module")
def sample_corpus(tmp_path_factory):
    """The bundled corpus, ingested once; each page gets copies of it."""
    from analysis import ingest

    folder = tmp_path_factory.mktemp("docs") / "corpus"
    ingest([repo_path("seeds"), repo_path("data", "sample")], folder)
    return folder


@pytest.mark.parametrize("page", DOCS, ids=[d.name for d in DOCS])
def test_python_blocks_run(page, sample_corpus, tmp_path, monkeypatch):
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip(f"{page.name} has no Python block")
    for folder in ("data/corpus", "data/big"):  # the folders the examples open
        shutil.copytree(sample_corpus, tmp_path / folder)
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


# ---------------------------------------------------------------------------
# Commands, make targets and links named in the README and in docs/

PAGES = [repo_path("README.md"), *DOCS]
FENCED = re.compile(r"^[ \t]*(```+)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.S | re.M)
INLINE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
COMMAND_LINE = re.compile(
    r"(?:\bpython -m (analysis|benchmarks)\b|(?<![\w./-])(mca)(?=[ \t]))([^\n]*)"
)
MAKE = re.compile(r"(?<![\w./-])make[ \t]+([a-z][a-z-]*)")


def split_code(text: str) -> tuple[list[str], str]:
    """The code of a page (fenced blocks, then inline spans) and its prose without them."""
    blocks: list[str] = []

    def keep(match: re.Match) -> str:
        blocks.append(match.group(2))
        return "\n"

    prose = FENCED.sub(keep, text)
    spans = INLINE.findall(prose)
    return [b.replace("\\\n", " ") for b in blocks] + spans, INLINE.sub("", prose)


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets on GitHub."""
    heading = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return heading.replace(" ", "-")


def anchors(page) -> set[str]:
    prose = FENCED.sub("\n", page.read_text(encoding="utf-8"))  # inline code stays in a heading
    return {slug(h) for h in HEADING.findall(prose)}


@functools.cache
def cli_options() -> tuple[dict[str, set[str]], set[str]]:
    """Each ``python -m analysis`` command with its options, and the options before a command."""
    import argparse

    from analysis.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands = {name: set(p._option_string_actions) for name, p in sub.choices.items()}
    return commands, set(parser._option_string_actions)


@functools.cache
def make_targets() -> set[str]:
    makefile = repo_path("Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


@functools.cache
def benchmark_runner() -> tuple[set[str], set[str]]:
    """The benchmark names ``python -m benchmarks`` takes, and its options."""
    folder = repo_path("benchmarks")
    runner = (folder / "__main__.py").read_text(encoding="utf-8")
    names = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")} - {"common"}
    return names, set(re.findall(r'"(--?[a-z][a-z-]*)"', runner))


def command_problems(code: str, where: str) -> list[str]:
    """What a piece of code names that the command line, the Makefile or the runner lacks."""
    commands, global_options = cli_options()
    benchmarks, benchmark_options = benchmark_runner()
    problems = []
    for prog, alias, rest in COMMAND_LINE.findall(code):
        words = re.split(r"\s+(?:&&|\|\||[|;#])", rest)[0].split()
        words = [w.strip("[]()") for w in words]
        if (prog or alias) == "benchmarks":
            for word in words:
                known = benchmark_options if word.startswith("-") else benchmarks
                if re.fullmatch(r"-*[a-z][a-z-]*", word) and word not in known:
                    problems.append(f"{where}: python -m benchmarks has no {word!r}")
            continue
        line = f"python -m analysis {' '.join(words)}".strip()
        while words and words[0].startswith("-"):
            if words[0] not in global_options:
                problems.append(f"{where}: {line!r}: no option {words[0]!r} before a command")
            words.pop(0)
        if not words or words[0] in ("...", "COMMAND"):
            continue
        command, options = words[0], words[1:]
        if command not in commands:
            problems.append(f"{where}: {line!r}: no command {command!r}")
            continue
        for option in options:
            name = option.split("=", 1)[0]
            if re.fullmatch(r"--?[a-z][a-z-]*", name) and name not in commands[command]:
                problems.append(f"{where}: {line!r}: {command} has no option {name!r}")
    targets = make_targets()
    problems += [
        f"{where}: the Makefile has no target {t!r}" for t in MAKE.findall(code) if t not in targets
    ]
    return problems


def link_problems(page) -> list[str]:
    """Relative links of a page whose file (or heading) does not exist."""
    _, prose = split_code(page.read_text(encoding="utf-8"))
    problems = []
    for target in LINK.findall(prose):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            problems.append(f"{page.name}: link to {target} (no file {linked})")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(
                f"{page.name}: link to {target} (no heading #{anchor} in {linked.name})"
            )
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_named_commands_exist(page):
    code, _ = split_code(page.read_text(encoding="utf-8"))
    problems = [p for piece in code for p in command_problems(piece, page.name)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_exist(page):
    problems = link_problems(page)
    assert not problems, "\n".join(problems)


def test_notebook_table_names_every_parameter():
    from analysis.report.params import read_parameters

    page = repo_path("docs", "reports.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|", page, re.M)
    assert {name for name, _ in rows} == {p.stem for p in repo_path("notebooks").glob("*.ipynb")}
    for name, cell in rows:
        while re.search(r"\([^()]*\)", cell):  # values and notes in brackets are not names
            cell = re.sub(r"\([^()]*\)", "", cell)
        named = set(re.findall(r"`(\w+)`", cell))
        actual = {p.name for p in read_parameters(name)} - {"output_dir"}
        assert named == actual, f"{name}: the table names {named}, the notebook has {actual}"


def test_readme_links_every_docs_page():
    readme = repo_path("README.md").read_text(encoding="utf-8")
    linked = {Path(t.partition("#")[0]).name for t in LINK.findall(readme)}
    assert {d.name for d in DOCS} <= linked


@pytest.mark.parametrize(
    "code, problem",
    [
        ("python -m analysis ingset data --corpus c", "no command 'ingset'"),
        ("python -m analysis report --corpus c --egnine dask", "no option '--egnine'"),
        ("python -m analysis report -q --corpus c", "no option '-q'"),
        ("python -m analysis --loud info", "no option '--loud' before a command"),
        ("mca ingest data \\\n    --dry-run", "no option '--dry-run'"),
        ("make reprot", "no target 'reprot'"),
        ("python -m benchmarks term --quick", "has no 'term'"),
        ("python -m benchmarks terms --fast", "has no '--fast'"),
    ],
)
def test_a_wrong_command_is_named(code, problem):
    found = command_problems(code.replace("\\\n", " "), "page.md")
    assert len(found) == 1 and problem in found[0], found


def test_right_commands_pass():
    code = (
        "python -m analysis -q report compare --corpus data/mine -p 'date_range=last 7 days' "
        "--engine dask && make report; mca info --corpus c; python -m benchmarks terms --quick"
    )
    assert command_problems(code, "page.md") == []


def test_a_broken_link_is_named(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## A section: with `code`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md) [ok](other.md#a-section-with-code) [ok](#top) "
        "[web](https://docs.dask.org)\n\n# Top\n\n"
        "[gone](missing.md) [wrong](other.md#nowhere)\n\n```\n[in code](nope.md)\n```\n"
    )
    found = link_problems(page)
    assert len(found) == 2 and "missing.md" in found[0] and "#nowhere" in found[1], found
