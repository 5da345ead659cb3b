"""Where things live: the repository, the bundled corpus, shared corpora, reports.

Notebooks and tests never build paths by hand (no ``../data``); they ask here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout root when the package runs from a clone (editable install), else the CWD.
REPO_ROOT = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").exists() else Path.cwd()


#: Names a report, figure or cache file may take: letters, digits, dot, dash,
#: underscore; no leading dot, at most 100 characters.
SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")  # use fullmatch


def repo_path(*parts: str) -> Path:
    """Return a path inside the repository (or the working directory outside a clone)."""
    return REPO_ROOT.joinpath(*parts)


def sample_inputs() -> list[Path]:
    """Return the bundled inputs: the invented sample corpus and the seed page."""
    return [repo_path("data", "sample"), repo_path("seeds")]


def default_corpus_dir() -> Path:
    """Return the corpus store that ``make report`` builds from the bundled inputs."""
    return Path(os.environ.get("MCA_CORPUS", repo_path("data", "corpus")))


def reports_dir() -> Path:
    """Return the folder that receives rendered reports."""
    return Path(os.environ.get("MCA_REPORTS", repo_path("reports")))


def shared_corpora() -> Path:
    """Return the folder of real public corpora (``$MCA_SHARED_DATA`` or ``../shared/corpora``)."""
    env = os.environ.get("MCA_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpora"


def shared_corpus(name: str) -> Path:
    """Return one shared corpus folder, e.g. ``shared_corpus("ukraine_media_2022")``."""
    return shared_corpora() / name


def replace_atomically(target: str | os.PathLike, write) -> None:
    """
    Write ``target`` through ``write(path)`` on a hidden file beside it, then rename.

    The file is written under a hidden name of this process and renamed over the
    target, so a reader never sees half a file and a failed write leaves the old
    file (and no temporary one) behind.
    """
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(text: str, target: str | os.PathLike) -> None:
    """Write ``text`` to ``target`` atomically (UTF-8): readers see the old file or the new one."""
    replace_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet(table, target: str | os.PathLike) -> None:
    """Write a DataFrame or Arrow table to ``target`` atomically (see :func:`replace_atomically`)."""
    if hasattr(table, "to_parquet"):
        replace_atomically(target, lambda tmp: table.to_parquet(tmp, index=False))
    else:
        import pyarrow.parquet as pq

        replace_atomically(target, lambda tmp: pq.write_table(table, tmp))


def write_arrow(table, target: str | os.PathLike) -> None:
    """
    Write an Arrow table to ``target`` atomically as an Arrow IPC (Feather) file,
    LZ4-compressed: for caches that are read back whole, which this format writes
    about three times and reads about eight times faster than Parquet.
    """
    import pyarrow.feather as feather

    replace_atomically(target, lambda tmp: feather.write_feather(table, tmp, compression="lz4"))


def read_yaml(path: str | os.PathLike, what: str):
    """
    Read a YAML file a user wrote (an alias file, topic names); errors name the file.

    Returns the parsed document (``None`` for an empty file). ``what`` says what the
    file is for, in the messages: "cannot read the alias file (...)", "the topic
    names are not valid YAML at line 3: ...".
    """
    import yaml

    from analysis.errors import InputError

    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(path, f"cannot read the {what} ({reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(
            path, f"the {what} is not valid YAML{line}: {getattr(exc, 'problem', exc)}"
        ) from None
