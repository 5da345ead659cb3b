"""One name per actor: spellings, titles, surnames and a user's alias file folded together.

A mention's *key* is its name in lower case with titles, a leading "the", a
possessive and full stops left out, each word folded through the spelling
variants of :mod:`analysis.text.variants` (Kiev -> kyiv, Zelenskiy -> zelensky)
and the transliteration endings -skiy/-skyy/-skyi -> -sky. Keys are then joined
(see :func:`canonical_names`): a surname alone takes the full name it stands
for in the same article, else the one full name the corpus gives it; a user's
alias file merges names, or keeps a name apart from the automatic joins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import InputError, ParameterError
from analysis.paths import read_yaml
from analysis.text.ner import ROLES, TITLE_WORDS, known_names
from analysis.text.variants import fold_map, spelling_variants

ALIASES_FILE = "actor_aliases.yaml"

#: transliterations of one Slavic surname ending: -skiy, -skyy, -skyi, -skii -> -sky
_SKY = re.compile(r"(?<=sk)(?:iy|yy|yi|ii|ij)$")
_WORD = re.compile(r"[^\s]+")


class Aliases:
    """A user's alias table: ``merge`` (key -> canonical name) and ``separate`` (keys kept apart)."""

    def __init__(
        self,
        merge: Mapping[str, Collection[str]] | None = None,
        separate: Collection[str] = (),
        *,
        where: str = "aliases",
    ):
        self.merge: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for canonical, variants in (merge or {}).items():
            if not isinstance(canonical, str) or not canonical.strip():
                raise ParameterError(f"{where}: {canonical!r} is not a name")
            if isinstance(variants, str):
                variants = [variants]
            if not isinstance(variants, Collection):
                raise ParameterError(
                    f"{where}: the variants of {canonical!r} must be a list of names"
                )
            target = name_key(canonical)
            self.names[target] = canonical.strip()
            for variant in variants:
                if not isinstance(variant, str) or not variant.strip():
                    raise ParameterError(
                        f"{where}: {variant!r} (under {canonical!r}) is not a name"
                    )
                self.merge[name_key(variant)] = target
        if isinstance(separate, str):
            separate = [separate]
        self.separate = {name_key(n) for n in separate}

    def __or__(self, other: Aliases) -> Aliases:
        out = Aliases()
        out.merge = {**self.merge, **other.merge}
        out.names = {**self.names, **other.names}
        out.separate = self.separate | other.separate
        return out


def read_aliases(source: Any) -> Aliases:
    """
    Read an alias table: a YAML file, or its content as a mapping.

    The file maps a canonical name to the names to fold into it; under the key
    ``separate`` it lists names that the automatic joins must leave alone (a
    surname shared by two people, say)::

        merge:
          Volodymyr Zelensky: [Zelensky, Ze]
          Kremlin: [Russian presidency]
        separate: [Johnson]

    A file with no ``merge`` key is read as the ``merge`` mapping itself.

    Raises
    ------
    InputError
        If the file cannot be read or is not such a mapping (the message names it).
    """
    if source is None:
        return Aliases()
    if isinstance(source, Aliases):
        return source
    where: Any = "aliases"
    if isinstance(source, (str, Path)):
        where = Path(source)
        source = read_yaml(where, "alias file") or {}
    if not isinstance(source, Mapping):
        raise InputError(where, "an alias file maps canonical names to lists of variants")
    merge = source.get("merge", None)
    separate = source.get("separate", []) or []
    if merge is None:
        merge = {k: v for k, v in source.items() if k != "separate"}
    if not isinstance(merge, Mapping):
        raise InputError(where, "'merge' must map canonical names to lists of variants")
    try:
        return Aliases(merge, separate, where=str(where))
    except ParameterError as exc:
        raise InputError(where, str(exc).split(": ", 1)[-1]) from exc


@functools.lru_cache(maxsize=1)
def bundled_aliases() -> Aliases:
    """The aliases shipped in ``analysis/data/actor_aliases.yaml`` (UN, EU, US, Kiev...)."""
    import yaml

    text = resources.files("analysis").joinpath("data", ALIASES_FILE).read_text(encoding="utf-8")
    return read_aliases(yaml.safe_load(text))


@functools.lru_cache(maxsize=1)
def _folds() -> dict[str, str]:
    return fold_map(spelling_variants(_TRANSLITERATIONS))


#: spellings of names in the news folded to one (the first): read by the variants logic
_TRANSLITERATIONS = {
    "kyiv": ["kiev"],
    "kharkiv": ["kharkov"],
    "odesa": ["odessa"],
    "lviv": ["lvov"],
    "luhansk": ["lugansk"],
    "donbas": ["donbass"],
    "zaporizhzhia": ["zaporizhia", "zaporozhye", "zaporozhzhia"],
    "mykolaiv": ["nikolaev", "nikolayev"],
    "chornobyl": ["chernobyl"],
    "volodymyr": ["volodimir", "volodomyr"],
    "zelensky": ["zelenskiy", "zelenskyy", "zelenskyi", "zelenski"],
}


def clean_name(text: str) -> str:
    """
    The name as a mention writes it, without titles, "the", a possessive or capitals of a dateline.

    Examples
    --------
    >>> clean_name("President Zelensky's"), clean_name("the Kremlin"), clean_name("LVIV")
    ('Zelensky', 'Kremlin', 'Lviv')
    >>> clean_name("Foreign Minister Dmytro Kuleba"), clean_name("State of the Union")
    ('Dmytro Kuleba', 'State of the Union')
    """
    name = " ".join(text.split())
    if name[:4].lower() == "the ":
        name = name[4:]
    for tail in ("'s", "’s", "'", "’"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            name = name[: -len(tail)]
            break
    words = name.split(" ")
    # a title stands before a capitalised name: "State of the Union" keeps its "State"
    while (
        len(words) > 1
        and words[0].rstrip(".").lower() in ROLES | TITLE_WORDS
        and words[1][:1].isupper()
    ):
        words = words[1:]
    name = " ".join(words)
    if name.isupper() and len(name) > 3:
        titled = name.title()
        if titled in known_names():
            return titled
    return name


def name_key(text: str) -> str:
    """
    The key that spellings of one name share.

    Examples
    --------
    >>> name_key("President Zelenskiy"), name_key("Zelenskyy"), name_key("U.N."), name_key("Kiev")
    ('zelensky', 'zelensky', 'un', 'kyiv')
    """
    folds = _folds()
    words = []
    for word in _WORD.findall(clean_name(text).lower()):
        word = word.replace(".", "").strip(",;:")
        word = _SKY.sub("y", word)
        if word:
            words.append(folds.get(word, word))
    return " ".join(words)


def canonical_names(
    mentions: pd.DataFrame,
    *,
    aliases: Aliases | None = None,
) -> pd.DataFrame:
    """
    Give each mention its actor: one canonical name for the spellings, titles and surnames of one.

    Parameters
    ----------
    mentions : DataFrame
        ``[article_id, text, type]``, one row per mention.
    aliases : Aliases, optional
        The user's table (see :func:`read_aliases`), used on top of the bundled one.

    Returns
    -------
    DataFrame
        ``mentions`` with ``actor`` (the canonical name) and ``type`` (the type most
        mentions of that actor have).

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "a", "b"], "type": ["PERSON"] * 3,
    ...                   "text": ["Dmytro Kuleba", "Kuleba", "Mr Kuleba"]})
    >>> canonical_names(m)["actor"].tolist()
    ['Dmytro Kuleba', 'Dmytro Kuleba', 'Dmytro Kuleba']
    """
    table = aliases_with_bundled(aliases)
    if mentions.empty:
        return mentions.assign(actor=pd.Series(dtype="string"))
    clean = mentions["text"].astype(str).map(clean_name)
    keys = clean.map(name_key)
    keys = keys.map(lambda k: table.merge.get(k, k))
    keys = _surnames(mentions["article_id"].to_numpy(), keys, mentions["type"].to_numpy(), table)
    keys = keys.map(lambda k: table.merge.get(k, k))
    # the name shown: the alias file's, else the commonest spelling written as the key reads
    shown: dict[str, str] = dict(table.names)
    as_written = clean.map(lambda n: " ".join(w.replace(".", "") for w in n.lower().split()))
    spelled = pd.DataFrame({"key": keys, "clean": clean, "own": as_written})
    exact = spelled[spelled["key"] == spelled["own"]]
    for key, name in commonest(exact["key"], exact["clean"]).items():
        shown.setdefault(key, name)
    actor = keys.map(lambda k: shown.get(k) or k.title())
    kinds = pd.DataFrame({"actor": actor, "type": mentions["type"].to_numpy()})
    order = {"PERSON": 0, "ORG": 1, "PLACE": 2, "GROUP": 3}
    majority = (
        kinds.groupby(["actor", "type"])
        .size()
        .rename("n")
        .reset_index()
        .assign(o=lambda d: d["type"].map(order))
        .sort_values(["actor", "n", "o"], ascending=[True, False, True])
        .drop_duplicates("actor")
        .set_index("actor")["type"]
    )
    return mentions.assign(
        actor=actor.astype("string").to_numpy(),
        type=actor.map(majority).astype("string").to_numpy(),
    )


def commonest(groups: pd.DataFrame | pd.Series, values: pd.Series) -> dict:
    """
    The most frequent value of each group (ties: the value seen first), as a dict.

    ``groups`` holds one or more key columns, row for row with ``values``; a
    group of several columns is keyed by the tuple of its values.

    Examples
    --------
    >>> commonest(pd.Series(["a", "a", "a", "b"]), pd.Series(["x", "y", "y", "z"]))
    {'a': 'y', 'b': 'z'}
    """
    frame = pd.DataFrame(groups).reset_index(drop=True)
    keys = list(frame.columns)
    frame["value"] = values.to_numpy()
    counts = frame.groupby([*keys, "value"], sort=False, dropna=False).size().reset_index(name="n")
    first = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(keys)
    index = pd.MultiIndex.from_frame(first[keys]) if len(keys) > 1 else first[keys[0]]
    return dict(zip(index, first["value"]))


def aliases_with_bundled(aliases: Any) -> Aliases:
    """The bundled aliases, then the user's (which win)."""
    return bundled_aliases() | read_aliases(aliases)


def _surnames(article_ids: Sequence, keys: pd.Series, types: Any, table: Aliases) -> pd.Series:
    """
    A one-word person key becomes the full name it ends: the article's, else the corpus's only one.

    A one-word organisation does too (the model takes a surname for an
    organisation now and then: "Lavrov's team").
    """
    frame = pd.DataFrame({"a": article_ids, "key": keys.to_numpy(), "type": types})
    frame["person"] = frame["type"] == "PERSON"
    full = frame[frame["person"] & frame["key"].str.contains(" ", regex=False)]
    full = full.assign(last=full["key"].str.rsplit(" ", n=1).str[-1])
    in_article = commonest(full[["a", "last"]], full["key"])
    # the corpus's one full name for a surname: it has at least twice the mentions of all others
    top = commonest(full["last"], full["key"])
    named = full.groupby("last", sort=False)["key"]
    lead = full.assign(top=full["last"].map(top))
    lead = (lead["key"] == lead["top"]).groupby(lead["last"], sort=False).sum()
    total, kinds = named.size(), named.nunique()
    sure = (lead >= 2 * (total - lead)) | (kinds == 1)
    corpus = {last: top[last] for last in sure.index[sure.to_numpy()]}
    out = []
    joinable = frame["type"].isin(["PERSON", "ORG"])
    for a, key, join in zip(frame["a"], frame["key"], joinable):
        if join and " " not in key and key not in table.separate:
            key = in_article.get((a, key)) or corpus.get(key, key)
        out.append(key)
    return pd.Series(out, index=keys.index)


def _squeezed(name: str) -> str:
    """Lower case, letters and digits only, without a leading "the"."""
    words = re.findall(r"[^\W_]+", name.lower())
    return "".join(words[1:] if words[:1] == ["the"] and len(words) > 1 else words)


def _initials(name: str) -> str:
    """Initials of the words of a name, camel case split ("AssociatedPress" gives "ap")."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    words = [w for w in re.findall(r"[^\W_]+", spaced.lower()) if w != "the"]
    return "".join(w[0] for w in words) if len(words) > 1 else ""


def names_outlet(actor: str, outlet: str) -> bool:
    """
    Whether an actor's name is the name of an outlet (an outlet naming itself).

    The names are compared in lower case, letters and digits only, without a
    leading "the" and a trailing "news"; one may also be the other's initials.

    Examples
    --------
    >>> [names_outlet(a, o) for a, o in [("The Guardian", "guardian"), ("CBS News", "CBS"),
    ...     ("AP", "AssociatedPress"), ("The New York Times", "NYT"), ("Reuters", "CNN")]]
    [True, True, True, True, False]
    """
    a, o = _squeezed(actor), _squeezed(outlet)
    if not a or not o:
        return False
    a, o = a.removesuffix("news") or a, o.removesuffix("news") or o
    return a == o or a == _initials(outlet) or o == _initials(actor)
