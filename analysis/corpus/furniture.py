"""What ingest removed from article bodies read from tables: each outlet's recurring lines.

``furniture.json`` in a corpus folder holds, per outlet, every line or sentence learned as
furniture (see :mod:`analysis.readers.furniture`) with the articles it was removed from:

.. code-block:: json

    {"The Guardian": {"photograph: handout": {"line": "Photograph: Handout", "articles": 6}}}

Lines learned at one ingest are removed from the articles of later ingests too.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from pathlib import Path

import pandas as pd

from analysis.paths import default_corpus_dir, write_parquet, write_text
from analysis.readers.furniture import Sample, learn_furniture, remove_furniture

log = logging.getLogger(__name__)

FURNITURE = "furniture.json"


def read_furniture(corpus_dir: str | os.PathLike) -> dict[str, dict[str, dict]]:
    """The saved furniture of a corpus; a damaged file counts as none (with a warning)."""
    path = Path(corpus_dir) / FURNITURE
    if not path.exists():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(outlet): {
                str(key): {"line": str(v["line"]), "articles": int(v["articles"])}
                for key, v in lines.items()
            }
            for outlet, lines in saved.items()
        }
    except (OSError, ValueError, AttributeError, TypeError, KeyError) as exc:
        log.warning("%s is damaged (%s); furniture is learned afresh", path, exc)
        return {}


def clean_parts(corpus: Path, sample: Sample, parts: list[Path]) -> None:
    """
    Learn furniture from ``sample``, merge it with the saved lines, remove them from the
    part files ``parts`` (rewritten in place) and save what was removed.
    """
    saved = read_furniture(corpus)
    cut: dict = {}  # the bodies learned from, cut once for learning and removing
    learned = learn_furniture(sample.texts(), known=saved, segments=cut)
    if not saved and not learned:
        return
    model: dict[str, dict[str, str]] = {
        outlet: {key: v["line"] for key, v in lines.items()} for outlet, lines in saved.items()
    }
    for outlet, lines in learned.items():
        for key, line in lines.items():
            model.setdefault(outlet, {}).setdefault(key, line)
    removed: Counter = Counter()
    for part in parts:
        table = pd.read_parquet(part)
        cleaned, gone = remove_furniture(table, model, segments=cut)
        if gone:
            write_parquet(cleaned, part)
            removed.update(gone)
    for outlet, lines in model.items():
        for key, line in lines.items():
            entry = saved.setdefault(outlet, {}).setdefault(key, {"line": line, "articles": 0})
            entry["articles"] += removed[(outlet, key)]
    text = json.dumps({o: dict(sorted(v.items())) for o, v in sorted(saved.items())}, indent=1)
    write_text(text, corpus / FURNITURE)
    if removed:
        log.info("removed %d recurring lines from article bodies", sum(removed.values()))


def removed_lines(corpus_dir: str | os.PathLike = "") -> pd.DataFrame:
    """
    List the recurring lines ingest removed from article bodies read from tables.

    Parameters
    ----------
    corpus_dir : path-like, default ""
        A corpus folder; ``""`` is the bundled corpus.

    Returns
    -------
    DataFrame
        ``outlet, line, articles`` (articles the line was removed from), per outlet the
        most frequent first.

    Examples
    --------
    >>> removed_lines("/no/such/folder").columns.tolist()
    ['outlet', 'line', 'articles']
    """
    folder = Path(corpus_dir).expanduser() if str(corpus_dir).strip() else default_corpus_dir()
    rows = [
        (outlet, v["line"], v["articles"])
        for outlet, lines in read_furniture(folder).items()
        for v in lines.values()
    ]
    table = pd.DataFrame(rows, columns=["outlet", "line", "articles"])
    table["articles"] = table["articles"].astype("int64")
    return table.sort_values(
        ["outlet", "articles", "line"], ascending=[True, False, True], ignore_index=True
    )


def removed_note(lines: pd.DataFrame, *, examples: int = 2) -> str:
    """
    Say in a sentence what :func:`removed_lines` lists.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["A", "A"], "line": ["Photograph: Handout", "Interactive"],
    ...                   "articles": [6, 18]})
    >>> removed_note(t)
    'Ingest removed recurring lines from article bodies: A: 2 lines from 24 articles (e.g. "Interactive"; "Photograph: Handout").'
    """
    lines = lines[lines["articles"] > 0]
    if lines.empty:
        return "Ingest removed no recurring lines from article bodies."
    parts = []
    for outlet, group in lines.groupby("outlet", sort=True):
        group = group.sort_values("articles", ascending=False)
        shown = "; ".join(f'"{line}"' for line in group["line"].head(examples))
        parts.append(
            f"{outlet}: {len(group)} lines from {int(group['articles'].sum())} articles (e.g. {shown})"
        )
    return "Ingest removed recurring lines from article bodies: " + ", ".join(parts) + "."
