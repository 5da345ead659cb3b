"""Dictionary files in the formats researchers have, read into one list of entries.

Formats, told by the file's extension:

- **YAML** (``.yaml``, ``.yml``): the toolkit's own codebook (``name``,
  ``description``, ``categories``) or a quanteda dictionary (categories at the
  top level). Categories may nest; a nested category is named by its path,
  joined with dots (``economy.positive``), as quanteda flattens them.
- **Lexicoder** (``.lc3``, ``.lcd``): a line ``+category`` opens a category;
  every following line until the next ``+`` line is one entry (a word, a
  ``*`` wildcard or a phrase). Blank lines are skipped.
- **LIWC** (``.dic``): a header block between two lines holding only ``%``
  numbers the categories (``1<TAB>posemo``); every later line is an entry
  followed by the numbers of its categories (``good<TAB>1``, ``kind of<TAB>3 7``).

The reader only reads: it returns each entry with the line it came from, and
:func:`analysis.load_dictionary` checks the entries, naming the file and line
of a bad one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError

__all__ = ["DictionaryFile", "read_dictionary_file", "DICTIONARY_SUFFIXES"]

#: File extension -> format name.
DICTIONARY_SUFFIXES = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".lc3": "lexicoder",
    ".lcd": "lexicoder",
    ".dic": "liwc",
}


@dataclass
class DictionaryFile:
    """What a dictionary file holds: entries as ``(category, entry, line)``, in file order."""

    path: str
    format: str
    entries: list[tuple[str, str, int]] = field(default_factory=list)
    name: str = ""
    description: str = ""

    def where(self, line: int) -> str:
        """The file and line, as error messages name them."""
        return f"{self.path}, line {line}" if line else self.path


def read_dictionary_file(path: str | os.PathLike) -> DictionaryFile:
    """
    Read a dictionary file (YAML, Lexicoder ``.lc3``/``.lcd``, LIWC ``.dic``).

    Parameters
    ----------
    path : path-like
        The file; its extension tells the format (see the module notes).

    Returns
    -------
    DictionaryFile
        Entries as ``(category, entry, line)``; ``name`` is the YAML ``name`` or
        the file's stem.

    Raises
    ------
    InputError
        The file cannot be read or breaks its format; the message names the file
        and the line.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tone.lc3"
    >>> _ = p.write_text("+positive\\ngood\\n+negative\\nbad*\\n")
    >>> read_dictionary_file(p).entries
    [('positive', 'good', 2), ('negative', 'bad*', 4)]
    """
    path = Path(path)
    kind = DICTIONARY_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            path,
            f"unknown dictionary format {path.suffix!r}; use one of {sorted(DICTIONARY_SUFFIXES)}",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older LIWC and Lexicoder files
    out = DictionaryFile(str(path), kind, name=path.stem)
    {"yaml": _read_yaml, "lexicoder": _read_lexicoder, "liwc": _read_liwc}[kind](text, out)
    if not out.entries:
        raise InputError(path, "no entries found")
    return out


def _read_lexicoder(text: str, out: DictionaryFile) -> None:
    category = None
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("+"):
            category = line[1:].strip()
            if not category:
                raise InputError(out.where(n), "'+' without a category name")
            continue
        if category is None:
            raise InputError(out.where(n), f"entry {line!r} before the first '+category' line")
        out.entries.append((category, line, n))


def _read_liwc(text: str, out: DictionaryFile) -> None:
    lines = text.splitlines()
    marks = [n for n, line in enumerate(lines) if line.strip() == "%"]
    if len(marks) < 2:
        raise InputError(
            out.path,
            "no category header: expected a block of numbered categories between two '%' lines",
        )
    first, last = marks[0], marks[1]
    names: dict[str, str] = {}
    for n in range(first + 1, last):
        line = lines[n].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) < 2 or not parts[0].isdigit():
            raise InputError(
                out.where(n + 1), f"expected '<number> <category>' in the header, got {line!r}"
            )
        if parts[0] in names:
            raise InputError(out.where(n + 1), f"category number {parts[0]} is defined twice")
        names[parts[0]] = parts[1].split()[0]
    for n in range(last + 1, len(lines)):
        line = lines[n].strip()
        if not line:
            continue
        if line.startswith("<") or line.startswith("("):
            raise InputError(
                out.where(n + 1),
                f"conditional entry {line!r} is not supported; write it as plain entries",
            )
        parts = line.split("\t") if "\t" in line else [line]
        words = parts[0].split()
        codes = [c for p in parts[1:] for c in p.split()]
        while words and words[-1].isdigit() and "\t" not in line:
            codes.insert(0, words.pop())
        if not words or not codes:
            raise InputError(
                out.where(n + 1), f"expected an entry followed by category numbers, got {line!r}"
            )
        for code in codes:
            if code not in names:
                raise InputError(
                    out.where(n + 1),
                    f"category number {code!r} is not in the header (has {sorted(names, key=int)})",
                )
            out.entries.append((names[code], " ".join(words), n + 1))


def _read_yaml(text: str, out: DictionaryFile) -> None:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(out.path, f"not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise InputError(out.path, "expected a mapping with a 'categories' key")
    keys = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    if "categories" in keys:
        for key in ("name", "description"):
            node = keys.get(key)
            if isinstance(node, yaml.ScalarNode) and node.value:
                setattr(out, key, node.value)
        root = keys["categories"]
        if not isinstance(root, yaml.MappingNode) or not root.value:
            raise InputError(
                out.where(root.start_mark.line + 1),
                "expected a non-empty mapping of category -> list of entries",
            )
    _walk_yaml(root, "", out)


def _walk_yaml(node, prefix: str, out: DictionaryFile) -> None:
    import yaml

    for key, value in node.value:
        line = key.start_mark.line + 1
        name = str(key.value).strip() if isinstance(key, yaml.ScalarNode) else ""
        if not name:
            raise InputError(
                out.where(line), f"category name {key.value!r} is not a non-empty string"
            )
        name = f"{prefix}.{name}" if prefix else name
        if isinstance(value, yaml.MappingNode):
            if not value.value:
                raise InputError(out.where(line), f"category {name!r} is empty")
            _walk_yaml(value, name, out)
            continue
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        entries = []
        for item in items:
            if not isinstance(item, yaml.ScalarNode):
                raise InputError(
                    out.where(item.start_mark.line + 1),
                    f"category {name!r}: an entry must be a word or phrase, not a list or mapping",
                )
            entries.append((name, item.value, item.start_mark.line + 1))
        if not [e for e in entries if e[1].strip()]:
            raise InputError(
                out.where(line), f"category {name!r}: expected a non-empty list of entries"
            )
        out.entries.extend(entries)
