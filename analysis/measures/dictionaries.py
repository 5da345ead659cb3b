"""Dictionaries (codebooks): categories of terms counted in every article.

A dictionary maps category names to entries. An entry is a word
(``ceasefire``), a wildcard (``negotiat*`` matches negotiate, negotiations...;
``?`` stands for one character) or a multi-word phrase (``peace talks``,
``humanitarian corridor*``). Entries are normalized by :func:`analysis.tokenize`,
so they match the same tokens that :func:`analysis.term_counts` counts.

Counting rules, per article and category:

- every token matched by a single-word entry counts once, even when several
  entries of the category match it;
- a phrase counts once per occurrence, and the words inside a matched phrase are
  not counted again by the category's single-word entries ("peace talks" in a
  category that also lists "talks" counts 1, not 2); overlapping phrases are
  matched left to right, longest first;
- categories are independent: a token may count for several categories.

The YAML format (see ``analysis/data/dictionaries/war_themes.yaml``)::

    name: war_themes
    description: One line on what the codebook measures.
    categories:
      diplomacy: [negotiat*, peace talks, ceasefire]
      military: [troops, missile*, artillery]
"""

from __future__ import annotations

import functools
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.engine import Plan, cache_folder, is_dask, run
from analysis.errors import InputError, ParameterError
from analysis.measures import wordtable as wt
from analysis.options import Copies, renamed, unique_copies
from analysis.readers.dictionaries import read_dictionary_file
from analysis.text.tokens import literal_runs, normalize, tokenize
from analysis.workers import progress

__all__ = ["Dictionary", "load_dictionary", "dictionary_counts", "bundled_dictionaries"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dictionary(Mapping):
    """
    A codebook: category name -> tuple of entries (words, wildcards, phrases).

    Behaves as a read-only mapping; build one with :func:`load_dictionary`.
    """

    categories: dict[str, tuple[str, ...]]
    name: str = "dictionary"
    description: str = ""

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self.categories[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)


def bundled_dictionaries() -> list[str]:
    """
    Return the names of the dictionaries shipped with the package.

    Examples
    --------
    >>> "war_themes" in bundled_dictionaries()
    True
    """
    folder = resources.files("analysis").joinpath("data", "dictionaries")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _flatten(raw: Mapping, prefix: str = "") -> dict:
    """Nested categories named by their path joined with dots (``economy.positive``)."""
    out: dict = {}
    for cat, entries in raw.items():
        name = f"{prefix}.{cat}" if prefix and isinstance(cat, str) else cat
        if isinstance(entries, Mapping) and entries:
            out.update(_flatten(entries, name))
        else:
            out[name] = entries
    return out


def _check_categories(raw: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(where, "expected a non-empty mapping of category -> list of entries")
    out: dict[str, tuple[str, ...]] = {}
    for cat, entries in _flatten(raw).items():
        if not isinstance(cat, str) or not cat.strip():
            raise InputError(where, f"category name {cat!r} is not a non-empty string")
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, Sequence) or not entries:
            raise InputError(where, f"category {cat!r}: expected a non-empty list of entries")
        for entry in entries:
            try:
                wt.parse_entry(entry, where=f"category {cat!r}")
            except ParameterError as exc:
                raise InputError(where, str(exc)) from None
        out[cat] = tuple(entries)
    return out


def _from_file(path: Path) -> Dictionary:
    """A Dictionary from a file in any format :func:`read_dictionary_file` reads."""
    book = read_dictionary_file(path)
    cats: dict[str, list[str]] = {}
    for cat, entry, line in book.entries:
        try:
            wt.parse_entry(entry, where=f"category {cat!r}")
        except ParameterError as exc:
            raise InputError(book.where(line), str(exc)) from None
        listed = cats.setdefault(cat, [])
        if entry not in listed:
            listed.append(entry)
    categories = {cat: tuple(entries) for cat, entries in cats.items()}
    return Dictionary(categories, name=book.name, description=book.description)


def load_dictionary(source: str | os.PathLike | Mapping) -> Dictionary:
    """
    Load a dictionary from a file, a bundled name or a mapping.

    Parameters
    ----------
    source : str, path or mapping
        A dictionary file: YAML (the toolkit's codebook or a quanteda
        dictionary, nested categories named ``parent.child``), Lexicoder
        (``.lc3``, ``.lcd``) or LIWC (``.dic``), see
        :mod:`analysis.readers.dictionaries`; the name of a bundled dictionary
        (see :func:`bundled_dictionaries`, e.g. ``"war_themes"``); or a mapping
        ``{category: [entries]}`` (or ``{"categories": {...}, "name": ...}``),
        nested mappings flattened the same way.

    Returns
    -------
    Dictionary

    Raises
    ------
    InputError
        The file is missing, breaks its format, or a category or entry is
        malformed (the message names the file, the line and the category).

    Examples
    --------
    >>> d = load_dictionary({"diplomacy": ["negotiat*", "peace talks"]})
    >>> d["diplomacy"]
    ('negotiat*', 'peace talks')
    >>> sorted(load_dictionary("war_themes"))[:2]
    ['diplomacy', 'economy']
    """
    if isinstance(source, Mapping):
        data, where = dict(source), "<mapping>"
    else:
        path = Path(source)
        if not path.suffix and not path.exists() and str(source) in bundled_dictionaries():
            path = Path(
                str(resources.files("analysis").joinpath("data", "dictionaries", f"{source}.yaml"))
            )
        if not path.is_file():
            raise InputError(
                path, f"no such dictionary file (bundled names: {bundled_dictionaries()})"
            )
        return _from_file(path)
    if "categories" in data:
        cats = _check_categories(data["categories"], where)
        name = str(data.get("name") or "dictionary")
        return Dictionary(cats, name=name, description=str(data.get("description") or ""))
    return Dictionary(_check_categories(data, where))


def as_dictionary(terms: str | Sequence[str] | Mapping, where: str) -> Dictionary:
    """Turn a term, a list of terms (one category each) or a mapping into a Dictionary."""
    if isinstance(terms, Dictionary):
        return terms
    if isinstance(terms, str):
        terms = [terms]
    if isinstance(terms, Mapping):
        cats = {}
        for k, v in terms.items():
            cats[str(k)] = (v,) if isinstance(v, str) else tuple(v)
    elif isinstance(terms, Sequence) and terms:
        cats = {t: (t,) for t in terms}
    else:
        raise ParameterError(
            f"{where}: terms={terms!r}; expected a term, a list of terms or a mapping"
        )
    try:
        return Dictionary(_check_categories(cats, where))
    except InputError as exc:
        raise ParameterError(f"{where}: {exc.reason}") from None


def _literal(word) -> str:
    """The longest fixed run of characters of one parsed entry word."""
    if type(word) is str:
        return word
    return max(literal_runs(word.pattern), key=len)


def _needles(entries: list[tuple]):
    """One pattern finding any entry's longest literal, or None when an entry has none."""
    import re

    found = set()
    for words in entries:
        best = max((_literal(w) for w in words), key=len, default="")
        if not best:
            return None
        found.add(best)
    if not found:
        return None
    return re.compile("|".join(re.escape(n) for n in sorted(found, key=len, reverse=True)))


class Matcher:
    """Count the categories of a dictionary in token lists (see the module rules)."""

    def __init__(self, dictionary: Mapping[str, Sequence[str]]):
        self.labels = list(dictionary)
        self.exact: dict[str, set[int]] = {}
        self.wild: list[tuple[object, int]] = []
        phrases: dict[int, list[tuple]] = {}
        entries: list[tuple] = []
        for li, label in enumerate(self.labels):
            for entry in dictionary[label]:
                words = wt.parse_entry(entry, where=f"category {label!r}")
                entries.append(words)
                if len(words) > 1:
                    phrases.setdefault(li, []).append(words)
                elif type(words[0]) is str:
                    self.exact.setdefault(words[0], set()).add(li)
                else:
                    self.wild.append((words[0], li))
        self.phrases = {li: sorted(set(p), key=len, reverse=True) for li, p in phrases.items()}
        self.first_exact = {p[0] for ps in self.phrases.values() for p in ps if type(p[0]) is str}
        self.first_wild = [
            p[0] for ps in self.phrases.values() for p in ps if type(p[0]) is not str
        ]
        self.cache: dict[str, tuple[int, ...]] = {}
        self.hit_terms: set[str] = set()
        self.first_terms: set[str] = set()
        self._entries = entries

    @functools.cached_property
    def needles(self):
        """Pattern finding any entry's longest literal (None: an entry has none)."""
        return _needles(self._entries)

    def may_match(self, text: str) -> bool:
        """
        False when ``text`` cannot hold any entry (no entry's literal letters occur in it).

        Every token is a piece of the normalised text, so an entry whose word (or
        the fixed part of its wildcard) is not in that text cannot match: such
        texts need no tokenizing. True means "tokenize and count".
        """
        return self.needles is None or self.needles.search(normalize(text)) is not None

    def _learn(self, terms) -> None:
        for t in terms:
            labels = set(self.exact.get(t, ()))
            for rx, li in self.wild:
                if li not in labels and rx.fullmatch(t):
                    labels.add(li)
            self.cache[t] = tuple(sorted(labels))
            if labels:
                self.hit_terms.add(t)
            if t in self.first_exact or any(rx.fullmatch(t) for rx in self.first_wild):
                self.first_terms.add(t)

    def count(self, tokens: list[str]) -> list[int]:
        """Return the number of matches of each category in one token list."""
        counts = [0] * len(self.labels)
        c = Counter(tokens)
        keys = c.keys()
        cache = self.cache
        new = set(keys).difference(cache)
        if new:
            self._learn(new)
        for t in self.hit_terms.intersection(keys):
            n = c[t]
            for li in cache[t]:
                counts[li] += n
        if self.phrases and not self.first_terms.isdisjoint(keys):
            self._count_phrases(tokens, counts)
        return counts

    def _count_phrases(self, tokens: list[str], counts: list[int]) -> None:
        firsts = self.first_terms
        starts = [i for i, t in enumerate(tokens) if t in firsts]
        n_tok = len(tokens)
        for li, plist in self.phrases.items():
            free = 0
            for i in starts:
                if i < free:
                    continue
                for words in plist:
                    n = len(words)
                    if i + n <= n_tok and all(
                        wt.word_matches(w, tokens[i + k]) for k, w in enumerate(words)
                    ):
                        counts[li] += 1
                        counts[li] -= sum(1 for k in range(n) if li in self.cache[tokens[i + k]])
                        free = i + n
                        break


def article_matches(texts: Sequence[str], dictionary: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """
    Count a dictionary in each text.

    Returns ``(counts, n_words)``: an integer array ``(n_texts, n_categories)``
    and the number of tokens of each text.
    """
    matcher = Matcher(dictionary)
    counts = np.zeros((len(texts), len(matcher.labels)), dtype=np.int64)
    n_words = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(progress(texts, "dictionary")):
        toks = tokenize(text)
        n_words[i] = len(toks)
        if toks:
            counts[i] = matcher.count(toks)
    return counts, n_words


def aggregate_matches(
    table: pd.DataFrame,
    counts: np.ndarray,
    n_words: np.ndarray,
    labels: list[str],
    keys: list[str],
    label_col: str,
) -> pd.DataFrame:
    """Sum per-article matches over ``keys``; one row per key combination and label, zeros kept."""
    codes, groups = wt.group_codes(table, keys)
    n_groups = len(groups)
    n_cat = len(labels)
    sums = np.zeros((n_groups, n_cat), dtype=np.int64)
    np.add.at(sums, codes, counts)
    with_hits = np.zeros((n_groups, n_cat), dtype=np.int64)
    np.add.at(with_hits, codes, (counts > 0).astype(np.int64))
    n_art = np.bincount(codes, minlength=n_groups)
    words = np.bincount(codes, weights=n_words, minlength=n_groups).astype(np.int64)
    out = (
        groups.loc[np.repeat(np.arange(n_groups), n_cat)].reset_index(drop=True)
        if keys
        else pd.DataFrame(index=range(n_cat))
    )
    out = out.assign(
        **{
            label_col: np.tile(labels, n_groups),
            "count": sums.ravel(),
            "n_articles": np.repeat(n_art, n_cat),
            "articles_with_hits": with_hits.ravel(),
            "n_words": np.repeat(words, n_cat),
        }
    )
    per = np.where(
        out["n_words"] > 0,
        out["count"] * 10_000 / out["n_words"].where(out["n_words"] > 0, 1),
        np.nan,
    )
    return out.assign(per_10k=per)


@renamed(unique_stories="copies")
def dictionary_counts(
    articles: pd.DataFrame,
    dictionary: Mapping | str | os.PathLike,
    *,
    by: str | Sequence[str] | None = None,
    freq: Literal["D", "W", "M"] | None = None,
    copies: Copies = "all",
    english_only: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """
    Count dictionary categories per article, or their rates per group and period.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table (needs ``text``; ``published`` when ``freq`` is set).
    dictionary : Dictionary, mapping, path or bundled name
        Anything :func:`load_dictionary` accepts.
    by : str, sequence of str or None
        Group columns (e.g. ``"outlet"``). With neither ``by`` nor ``freq`` the
        result has one row per article and category.
    freq : {"D", "W", "M"} or None
        Also group by day, week (starting Monday) or month of ``published``.
    copies : {"unique", "all"}, default "all"
        Count each story once (canonical copy; see :func:`analysis.dedupe`).
    english_only : bool, default True
        Leave out rows whose ``language`` is known and not English.
    cache_dir : path-like, None or False, default None
        ``None``: the folder of the corpus the table was read from, when known
        (``analysis.open_corpus``); ``False``: no cache.
        Folder (the corpus folder) of per-article token counts, shared with
        :func:`analysis.term_counts`: only new or changed articles, and articles
        holding the first word of a phrase, are tokenized. Same result.

    Returns
    -------
    DataFrame
        Per article: ``article_id, outlet, published, category, count, n_words,
        per_10k``. Per group: ``[*by, period], category, count, n_articles,
        articles_with_hits, n_words, per_10k, share_articles`` where ``n_articles``
        is the N behind the row, ``per_10k`` is matches per 10,000 tokens of the
        group's articles and ``share_articles`` the share of its articles with at
        least one match. Every group and category appears, with zeros.

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"],
    ...                    "text": ["Peace talks resumed.", "Missiles hit Kyiv.", "Talks and talks."]})
    >>> codebook = {"diplomacy": ["peace talks", "talks", "negotiat*"], "military": ["missile*"]}
    >>> dictionary_counts(df, codebook, by="outlet")[["outlet", "category", "count", "n_articles"]]
      outlet   category  count  n_articles
    0      A  diplomacy      1           2
    1      A   military      1           2
    2      B  diplomacy      2           1
    3      B   military      0           1
    """
    cache_dir = cache_folder(cache_dir, articles)
    unique_stories = unique_copies(copies)
    book = dictionary if isinstance(dictionary, Mapping) else load_dictionary(dictionary)
    if not isinstance(book, Dictionary):
        book = load_dictionary(book)
    if is_dask(articles):
        return counts_on_partitions(
            dictionary_counts,
            articles,
            book,
            by=by,
            freq=freq,
            label="category",
            copies=copies,
            english_only=english_only,
        )
    table = wt.select_rows(
        articles,
        english_only=english_only,
        unique_stories=unique_stories,
        where="dictionary_counts",
    )
    return _count_table(
        table,
        book,
        by=wt.as_list(by),
        freq=freq,
        label_col="category",
        where="dictionary_counts",
        cache_dir=cache_dir,
    )


def _cached_matches(table: pd.DataFrame, dictionary: Mapping, cache_dir):
    """
    :func:`article_matches` of ``table``'s texts from the per-article token counts.

    Single words and wildcards are summed from the cached counts; an article
    holding the first word of a phrase is tokenized and counted as usual.
    """
    matcher = Matcher(dictionary)
    vocab, lengths, cols, vals = wt.cached_entries(cache_dir, table)
    n = len(table)
    rows = np.repeat(np.arange(n), lengths)
    n_words = np.bincount(rows, weights=vals, minlength=n).astype(np.int64)
    used, local = np.unique(cols, return_inverse=True)
    terms = [vocab[i] for i in used.tolist()]
    matcher._learn(terms)
    labels_of = np.zeros((len(terms), len(matcher.labels)), dtype=bool)
    for k, t in enumerate(terms):
        labels_of[k, list(matcher.cache[t])] = True
    counts = np.zeros((n, len(matcher.labels)), dtype=np.int64)
    for li in range(len(matcher.labels)):
        hit = labels_of[local, li]
        counts[:, li] = np.bincount(rows[hit], weights=vals[hit], minlength=n).astype(np.int64)
    if matcher.phrases and matcher.first_terms:
        first = np.fromiter((t in matcher.first_terms for t in terms), bool, len(terms))
        texts = wt.texts_of(table)
        for i in np.unique(rows[first[local]]).tolist():
            counts[i] = matcher.count(tokenize(texts[i]))
    return counts, n_words


def _count_table(table, book, *, by, freq, label_col, where, cache_dir=None) -> pd.DataFrame:
    keys = list(by)
    if freq is not None:
        table = wt.add_period(table, freq, where=where)
        keys.append("period")
    labels = list(book)
    if wt.use_cache(cache_dir, table):
        counts, n_words = _cached_matches(table, book, cache_dir)
    else:
        counts, n_words = article_matches(wt.texts_of(table), book)
    if not keys:
        ident = [c for c in ("article_id", "outlet", "published") if c in table.columns]
        base = table[ident].reset_index(drop=True)
        out = base.loc[np.repeat(np.arange(len(base)), len(labels))].reset_index(drop=True)
        nw = np.repeat(n_words, len(labels))
        per = np.where(nw > 0, counts.ravel() * 10_000 / np.maximum(nw, 1), np.nan)
        return out.assign(
            **{
                label_col: np.tile(labels, len(base)),
                "count": counts.ravel(),
                "n_words": nw,
                "per_10k": per,
            }
        )
    out = aggregate_matches(table, counts, n_words, labels, keys, label_col)
    share = out["articles_with_hits"] / out["n_articles"].where(out["n_articles"] > 0)
    return out.assign(share_articles=share)


#: Columns of a grouped dictionary or trend table that add up across partitions.
_ADDITIVE = ["count", "n_articles", "articles_with_hits", "n_words"]


def _combine_matches(parts: list[pd.DataFrame], *, keys: list[str], label: str) -> pd.DataFrame:
    """Add grouped dictionary counts of partitions and recompute their rates (pandas formulas)."""
    parts = [p for p in parts if len(p)] or parts[:1]
    both = pd.concat(parts, ignore_index=True)
    for col in keys:  # a group key with a missing value is text for the pandas engine
        if len({str(p[col].dtype) for p in parts}) > 1:
            both[col] = both[col].astype("string")
    out = both.groupby([*keys, label], sort=False, dropna=False)[_ADDITIVE].sum().reset_index()
    out = out.sort_values(keys, kind="stable").reset_index(drop=True) if keys else out
    words = out["n_words"]
    out["per_10k"] = np.where(words > 0, out["count"] * 10_000 / words.where(words > 0, 1), np.nan)
    if "share_articles" in both.columns:
        out["share_articles"] = out["articles_with_hits"] / out["n_articles"].where(
            out["n_articles"] > 0
        )
    return out[list(both.columns)]


def _call_with(part: pd.DataFrame, *, func: Callable[..., pd.DataFrame], what: Any, options: dict):
    return func(part, what, **options)


def counts_on_partitions(
    measure: Callable[..., pd.DataFrame],
    articles: Any,
    what: Any,
    *,
    by: Any,
    freq: Any,
    label: str,
    copies: str,
    english_only: bool,
) -> pd.DataFrame:
    """
    A dictionary count (``dictionary_counts``, ``term_trends``) on the partitions of a Dask table.

    Each partition is counted by the measure itself; grouped counts, articles and
    tokens are added and the rates computed again on the totals (without groups
    or periods, the per-partition tables are concatenated).
    """
    keys = [*wt.as_list(by), *(["period"] if freq else [])]
    options = dict(by=by, freq=freq, copies=copies, english_only=english_only)
    plan = Plan(
        step=functools.partial(_call_with, func=measure, what=what, options=options),
        combine=functools.partial(_combine_matches, keys=keys, label=label) if keys else None,
        stories=unique_copies(copies),
    )
    return run(plan, articles)
