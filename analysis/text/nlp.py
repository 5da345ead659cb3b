"""Offline language resources: NLTK data, stopwords and the sentence splitter.

Nothing here touches the network. :func:`ensure_nltk_data` writes, idempotently,
a project-owned NLTK data directory holding

- ``sentiment/vader_lexicon.zip``: the lexicon shipped by the installed
  ``vaderSentiment`` package, so ``nltk.sentiment.vader`` works offline;
- ``corpora/stopwords/english``: our English stopword list;
- ``tokenizers/punkt_tab/english/``: Punkt parameters built from our list of
  news abbreviations, so ``nltk.sent_tokenize`` and ``nltk.word_tokenize`` work.

NLTK (3.10+) refuses data outside ``nltk.data.path`` and in directories other
accounts can write to, so the directory is created private (mode 0755 owned by
us) and put first on ``nltk.data.path``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from analysis.paths import PACKAGE_DIR, REPO_ROOT

log = logging.getLogger(__name__)

#: Common words that start sentences; after an ordinary abbreviation ("p.m."),
#: a capitalized one of these starts a new sentence.
_SENT_STARTERS = (
    "the he she it they we i but in a an this that there his her their its "
    "however meanwhile on at after when if as yet still some many most"
).split()


def _read_list(name: str) -> list[str]:
    text = resources.files("analysis").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def nltk_data_dir() -> Path:
    """
    Return the project-owned NLTK data directory (not created here).

    ``$MCA_NLTK_DATA`` wins; inside a source checkout it is ``.nltk_data`` at the
    repository root; otherwise a per-user data folder.
    """
    env = os.environ.get("MCA_NLTK_DATA")
    if env:
        return Path(env)
    if (PACKAGE_DIR.parent / "pyproject.toml").exists():
        return REPO_ROOT / ".nltk_data"
    import platformdirs

    return Path(platformdirs.user_data_dir("media-coverage-analysis")) / "nltk_data"


def cached_arrays(name: str, build, *, mmap: bool = False) -> dict:
    """
    Return the arrays ``build()`` makes, kept as ``<name>.npz`` in the project data folder.

    For models that are slow to load from their packaged form (a compressed
    file, or a library whose import costs a second): the first call builds and
    writes them, later calls (in any process) read the uncompressed file. A
    damaged or unwritable file only means building again. ``name`` must change
    whenever the arrays would (a version in it).

    With ``mmap=True`` they are kept as ``<name>/<key>.npy`` files and mapped into
    memory rather than read (read-only arrays): a large model of which a call
    needs a few parts costs next to nothing to open.
    """
    import tempfile
    import zipfile

    import numpy as np

    if mmap:
        return _mapped_arrays(name, build)

    folder = nltk_data_dir() / "arrays"
    path = folder / f"{name}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("rebuilding %s (%s)", path, exc)
    arrays = build()
    tmp = None
    try:
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        # a name of its own for every writer (threads of one process included)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".npz", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.info("%s not kept (%s)", path, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return arrays


def _vader_lexicon_bytes() -> bytes:
    try:
        return resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - dependency
        from analysis.errors import AnalysisError

        raise AnalysisError(
            "the vaderSentiment package (3.3.2) is required for the VADER lexicon: "
            "pip install vaderSentiment==3.3.2"
        ) from exc


def _zip_bytes(member: str, payload: bytes) -> bytes:
    buf = io.BytesIO()
    # A fixed timestamp keeps the archive byte-identical across runs (idempotent).
    info = zipfile.ZipInfo(member, date_time=(2022, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(info, payload)
    return buf.getvalue()


def _abbreviations() -> tuple[set[str], set[str]]:
    """Return (all abbreviation types, the ones that never end a sentence)."""
    every, never = set(), set()
    for item in _read_list("abbreviations.txt"):
        name = item.lstrip("!")
        every.add(name)
        if item.startswith("!"):
            never.add(name)
    # Single-letter initials ("George W. Bush", "J. K. Rowling").
    letters = set("abcdefghijklmnopqrstuvwxyz")
    return every | letters, never | letters


def _resource_files() -> dict[str, bytes]:
    every, _ = _abbreviations()
    punkt = "tokenizers/punkt_tab/english/"
    return {
        "sentiment/vader_lexicon.zip": _zip_bytes(
            "vader_lexicon/vader_lexicon.txt", _vader_lexicon_bytes()
        ),
        "corpora/stopwords/english": ("\n".join(_read_list("stopwords_en.txt")) + "\n").encode(),
        punkt + "abbrev_types.txt": ("\n".join(sorted(every)) + "\n").encode(),
        punkt + "sent_starters.txt": ("\n".join(sorted(_SENT_STARTERS)) + "\n").encode(),
        punkt + "collocations.tab": b"",
        punkt + "ortho_context.tab": b"",
    }


def _make_private_dirs(root: Path, rel: Path) -> None:
    cur = root
    for part in (Path(), *rel.parents[::-1][1:], rel):
        cur = root / part
        cur.mkdir(mode=0o755, exist_ok=True)
        if cur.stat().st_mode & 0o022:
            cur.chmod(cur.stat().st_mode & ~0o022)


def ensure_nltk_data(path: str | os.PathLike | None = None) -> Path:
    """
    Prepare the offline NLTK data directory and put it first on ``nltk.data.path``.

    Idempotent: files are written only when missing or different. Safe to call
    from every function that needs NLTK.

    Parameters
    ----------
    path : path-like, optional
        Where to write; default :func:`nltk_data_dir`.

    Returns
    -------
    Path
        The data directory.
    """
    root = Path(path) if path is not None else nltk_data_dir()
    root = root.resolve()
    root.mkdir(mode=0o755, parents=True, exist_ok=True)
    _make_private_dirs(root, Path("."))
    wrote = 0
    for rel, payload in _resource_files().items():
        target = root / rel
        _make_private_dirs(root, Path(rel).parent)
        if target.exists() and target.read_bytes() == payload:
            continue
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(payload)
        tmp.chmod(0o644)
        tmp.replace(target)
        wrote += 1
    if wrote:
        log.info("wrote %d NLTK resource files to %s", wrote, root)
    import nltk

    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    return root


@lru_cache(maxsize=1)
def _base_stopwords() -> frozenset[str]:
    return frozenset(_read_list("stopwords_en.txt")) | frozenset(_read_list("stopwords_news.txt"))


def stopwords(extra=None, *, news: bool = True) -> frozenset[str]:
    """
    Return the stopword set: English function words plus, by default, news filler.

    Parameters
    ----------
    extra : iterable of str, optional
        More words to drop for this call (lowercased).
    news : bool, default True
        Include the news list (said, told, according, reuters, ...).

    Examples
    --------
    >>> "said" in stopwords() and "the" in stopwords()
    True
    >>> "said" in stopwords(news=False)
    False
    """
    base = _base_stopwords() if news else frozenset(_read_list("stopwords_en.txt"))
    if extra:
        base = base | {w.lower() for w in extra}
    return base


#: Last line of a complete folder of mapped arrays: a marker cut short lacks it.
_MARKER_END = "end"


def _mapped_arrays(name: str, build) -> dict:
    """:func:`cached_arrays` with ``mmap=True``: a folder of ``.npy`` files, mapped."""
    import shutil
    import tempfile

    import numpy as np

    folder = nltk_data_dir() / "arrays" / name
    done = folder / "COMPLETE"  # written last: the list of arrays, then "end"
    if done.is_file():
        try:
            *keys, last = done.read_text(encoding="utf-8").split() or [""]
            if last != _MARKER_END or not keys:
                raise ValueError(f"{done.name} is damaged")
            return {
                k: np.load(folder / f"{k}.npy", mmap_mode="r", allow_pickle=False) for k in keys
            }
        except (OSError, ValueError, EOFError) as exc:
            log.warning("rebuilding %s (%s)", folder, exc)
    arrays = build()
    tmp = None
    try:
        folder.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder.parent))
        for key, value in arrays.items():
            np.save(tmp / f"{key}.npy", value, allow_pickle=False)
        (tmp / "COMPLETE").write_text("\n".join([*arrays, _MARKER_END]) + "\n", encoding="utf-8")
        tmp.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
        tmp = None
        folder.with_name(f"{name}.npz").unlink(missing_ok=True)  # the same arrays, read whole
    except OSError as exc:  # unwritable, or another process put it in place first
        log.info("%s not kept (%s)", folder, exc)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return arrays


#: Contexts of a possible sentence end whose decision is kept (a few MB).
PUNKT_CONTEXTS = 2**15


@lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    every, _ = _abbreviations()
    params = PunktParameters()
    params.abbrev_types = set(every)
    params.sent_starters = set(_SENT_STARTERS)
    tokenizer = PunktSentenceTokenizer(params)
    # Punkt decides whether a stop ends a sentence from its context alone (the word before,
    # the stop, what follows) and parameters that do not change: a context met again
    # ("said. The") is decided once.
    decide = lru_cache(maxsize=PUNKT_CONTEXTS)(tokenizer.text_contains_sentbreak)
    tokenizer.text_contains_sentbreak = decide
    return tokenizer


@lru_cache(maxsize=1)
def _never_final() -> tuple[re.Pattern, int]:
    """The pattern of a sentence ending in an abbreviation that never ends one, and the
    most characters its match can take (a space or quote, the abbreviation, its period)."""
    _, never = _abbreviations()
    alts = sorted((re.escape(a) for a in never), key=len, reverse=True)
    # The sentence ends with one of these abbreviations plus its period.
    pattern = re.compile(r"(?:^|[\s(\"'“‘])(?:" + "|".join(alts) + r")\.$", re.IGNORECASE)
    return pattern, max(map(len, never)) + 2


def _ends_unfinished(sentence: str) -> bool:
    """True when ``sentence`` ends in an abbreviation that never ends a sentence ("Gen.")."""
    pattern, longest = _never_final()
    # a match lies within the last ``longest`` characters: the search starts there
    # (``^`` still matches only at the start of ``sentence``)
    return pattern.search(sentence, max(0, len(sentence) - longest)) is not None


_LINE = re.compile(r"[^\r\n]+")
#: The characters after which Punkt may end a sentence: a line without one is one sentence.
_SENTENCE_END = re.compile(r"[.?!]")


#: Sentence spans prepared ahead of a report (see :func:`prepare_sentence_spans`).
SPANS_FILE = "cache_sentence_spans.arrow"
_PREPARED: dict[str, list[tuple[int, int]]] = {}
_PREPARED_FROM: dict[str, tuple[int, int]] = {}


def _span_key(text: str) -> str:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def prepare_sentence_spans(texts, cache_dir) -> int:
    """
    Split ``texts`` into sentences now and keep the spans in ``cache_dir``, for
    :func:`sentence_spans` in another process (see :func:`use_prepared_spans`).

    A scheduled report that ingests a few new files splits their sentences this way
    on a second core while the notebook starts, so that the kernel need not load
    the sentence splitter at all. The file is replaced on each call. Returns the
    number of texts split.
    """
    import pyarrow as pa

    from analysis.paths import write_arrow

    keys, starts, ends = [], [], []
    for text in dict.fromkeys(t for t in texts if isinstance(t, str) and t):
        spans = sentence_spans(text)
        keys.append(_span_key(text))
        starts.append([a for a, _ in spans])
        ends.append([b for _, b in spans])
    table = pa.table(
        {
            "text_key": pa.array(keys, pa.string()),
            "starts": pa.array(starts, pa.list_(pa.int64())),
            "ends": pa.array(ends, pa.list_(pa.int64())),
        }
    )
    write_arrow(table, Path(cache_dir) / SPANS_FILE)
    return len(keys)


def use_prepared_spans(cache_dir) -> int:
    """
    Let :func:`sentence_spans` take the spans prepared in ``cache_dir`` (read again
    only when the file changed). Returns the number of texts known.
    """
    if cache_dir is None or not str(cache_dir).strip():
        return len(_PREPARED)
    path = Path(cache_dir) / SPANS_FILE
    try:
        stat = path.stat()
    except OSError:
        return len(_PREPARED)
    if _PREPARED_FROM.get(str(path)) == (stat.st_mtime_ns, stat.st_size):
        return len(_PREPARED)
    import pyarrow.feather as feather

    try:
        table = feather.read_table(path).to_pydict()
    except Exception as exc:  # a torn or foreign file: split as usual
        log.info("prepared sentence spans %s not used (%s)", path, exc)
        return len(_PREPARED)
    for key, starts, ends in zip(table["text_key"], table["starts"], table["ends"]):
        _PREPARED[key] = list(zip(starts, ends))
    _PREPARED_FROM[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return len(_PREPARED)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """
    Return ``(start, end)`` character offsets of the sentences in ``text``.

    Lines (paragraphs) never share a sentence; inside a line, Punkt with our news
    abbreviations decides. A sentence ending in a title or initialism that never
    ends a sentence (Mr., Gen., Lt. Col., U.S., U.N., Jan., St., initials) is
    joined to the next one.

    Examples
    --------
    >>> t = "U.S. officials met Gen. Smith. He said talks went well."
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['U.S. officials met Gen. Smith.', 'He said talks went well.']
    """
    if not text:
        return []
    if _PREPARED:
        prepared = _PREPARED.get(_span_key(text))
        if prepared is not None:
            return list(prepared)
    punkt = _punkt()
    spans: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        line, offset = m.group(), m.start()
        if not line.strip():
            continue
        if not _SENTENCE_END.search(line):  # what Punkt gives such a line, without Punkt
            spans.append((offset, offset + len(line.rstrip())))
            continue
        merged: list[list[int]] = []
        for a, b in punkt.span_tokenize(line):
            if merged and _ends_unfinished(line[merged[-1][0] : merged[-1][1]]):
                merged[-1][1] = b
            else:
                merged.append([a, b])
        spans.extend((offset + a, offset + b) for a, b in merged)
    return spans


def split_sentences(text: str) -> list[str]:
    """
    Split ``text`` into sentences (see :func:`sentence_spans`).

    Examples
    --------
    >>> split_sentences("Lt. Col. Ivan Petrov spoke. The U.N. listened.")
    ['Lt. Col. Ivan Petrov spoke.', 'The U.N. listened.']
    """
    return [text[a:b] for a, b in sentence_spans(text)]
