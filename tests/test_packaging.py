"""Packaging: the two dependency lists agree; entry points work."""

from __future__ import annotations

import re
import subprocess
import sys

import tomllib
import yaml

from analysis.paths import repo_path

#: pip requirement name -> conda-forge package names it corresponds to
EXTRAS_SPLIT = {"dask": {"dask", "distributed"}}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", req)
    return _norm(m.group(1)), m.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads(repo_path("pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + [
        r for extra in meta["optional-dependencies"].values() for r in extra
    ]
    out = {}
    for r in reqs:
        name, spec = _split(r)
        for conda in EXTRAS_SPLIT.get(name, {name}):
            out[conda] = spec
    return out


def _environment() -> dict[str, str]:
    env = yaml.safe_load(repo_path("environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = _split(dep)
            if name not in ("python", "pip"):  # the interpreter itself, not python-docx
                out[name] = spec
        else:  # packages only PyPI has (the spaCy pipeline), installed by pip
            for req in dep.get("pip", []):
                if not req.startswith("-"):
                    name, spec = _split(req.split("#")[0])
                    out[name] = spec
    return out


def test_dependency_lists_agree():
    py, conda = _pyproject(), _environment()
    assert set(py) == set(conda), (
        f"only in pyproject: {set(py) - set(conda)}; only in environment.yml: {set(conda) - set(py)}"
    )
    differ = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert not differ, f"version specifiers differ: {differ}"


def test_environment_installs_package_editable():
    env = yaml.safe_load(repo_path("environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
    assert env["channels"] == ["conda-forge"]


def test_console_script_and_module_entry():
    meta = tomllib.loads(repo_path("pyproject.toml").read_text())["project"]
    assert meta["name"] == "media-coverage-analysis"
    target = meta["scripts"]["mca"]
    assert target == "analysis.cli:main"
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "schema"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "article_id" in out.stdout and "published" in out.stdout


def test_make_help_lists_entry_points():
    out = subprocess.run(
        ["make", "-s", "help"], capture_output=True, text=True, cwd=repo_path(), timeout=60
    )
    assert out.returncode == 0
    for target in ("report", "test", "bench", "lab", "help"):
        assert f"make {target}" in out.stdout


def test_make_lab_passes_extra_options_and_allows_root_as_root():
    import os

    out = subprocess.run(  # -n: print the commands only; STAMP: the install counts as done
        ["make", "-n", "lab", "STAMP=Makefile", "LAB_ARGS=--port 9999 --no-browser"],
        capture_output=True,
        text=True,
        cwd=repo_path(),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    lab = [line for line in out.stdout.splitlines() if "jupyter lab" in line]
    assert lab and lab[-1].endswith("--port 9999 --no-browser")
    assert ("--allow-root" in lab[-1]) == (os.geteuid() == 0)


def test_the_command_reads_notebooks_without_the_slow_optional_iri_checker():
    # jsonschema (through nbformat) would import rfc3987_syntax, which builds a
    # grammar at import; the command's own process goes without it
    code = (
        "import sys\n"
        "from analysis.cli import main\n"
        "assert main(['-q', 'params', 'coverage_report']) == 0\n"
        "assert 'nbformat' in sys.modules and 'jsonschema' in sys.modules\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_path(), timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] in ("None", "absent")
