"""The query language: the Lucene / Media Cloud syntax researchers already write.

:func:`parse_query` reads a query into a small tree of :class:`Words`,
:class:`All`, :class:`Any` and :class:`Not` nodes; :mod:`analysis.corpus.search`
matches the tree against articles, on the toolkit's own tokens
(:func:`analysis.tokenize`), so a query finds exactly the words that
``term_counts`` and ``kwic`` count.

=========================  ==================================================
``ceasefire``              the word (case-insensitive; ``Russia's`` is ``russia``)
``"peace talks"``          the words next to each other, in this order
``negotiat*``, ``t?lks``   wildcards: ``*`` any characters, ``?`` one character
``"ceasefire talks"~5``    every other word within 5 + (words - 1) tokens of the first, either side
``a AND b``, ``a b``       both (a space is AND unless ``default="OR"``)
``a OR b``                 either
``NOT a``, ``-a``          not ``a``; ``a NOT b`` and ``a -b`` are ``a AND NOT b``
``( ... )``                grouping; NOT binds tighter than AND, AND tighter than OR
``title:ceasefire``        a field: ``text`` (the default), ``title``, ``outlet``, ``section``
=========================  ==================================================

The parser is built with lark (a maintained parser generator whose LALR mode
reports the position and the expected tokens of a syntax error); a syntax
error is a :class:`~analysis.errors.ParameterError` that names the column and
what was expected there.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from typing import Literal

from analysis.errors import ParameterError
from analysis.text.tokens import word_matchers

__all__ = ["FIELDS", "Words", "All", "Any", "Not", "Node", "parse_query", "query_fields"]

#: The fields a query may name (``field:term``); ``text`` is the default.
FIELDS: tuple[str, ...] = ("text", "title", "outlet", "section")

Default = Literal["AND", "OR"]

_OPERATOR = re.compile(r"\b(?:AND|OR|NOT)\b|&&|\|\||[~:!+]|(?:^|\s)-")


@dataclasses.dataclass(frozen=True)
class Words:
    """
    A term, phrase or proximity search in one field.

    ``words`` holds one matcher per token: a token (str) or a compiled regular
    expression matched against whole tokens (from ``*`` and ``?``). ``slop``
    is ``None`` for adjacent words in order, else the proximity allowed.
    """

    words: tuple
    field: str = "text"
    slop: int | None = None
    #: the term or phrase as written (``negotiat*``, ``ceasefire talks``)
    source: str = dataclasses.field(default="", compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class All:
    """Every part matches (AND)."""

    parts: tuple


@dataclasses.dataclass(frozen=True)
class Any:
    """At least one part matches (OR)."""

    parts: tuple


@dataclasses.dataclass(frozen=True)
class Not:
    """The part does not match."""

    part: Node


Node = Words | All | Any | Not

_GRAMMAR = r"""
start: item ((AND | OR)? item)*
item: NOT item -> negated
    | MINUS item -> negated
    | PLUS item -> required
    | FIELD group -> field_group
    | group
    | FIELD words -> field_words
    | words
group: LPAR start RPAR
words: TERM -> term
     | PHRASE PROXIMITY? -> phrase

AND.3: /AND(?![^\s()])/ | "&&"
OR.3: /OR(?![^\s()])/ | "||"
NOT.3: /NOT(?![^\s()])/ | "!"
MINUS: "-"
PLUS: "+"
LPAR: "("
RPAR: ")"
FIELD.2: /[A-Za-z_]+:/
PHRASE: /"[^"]*"/
PROXIMITY: /~\d+/
TERM: /[^\s()"~:+\-!&|][^\s()"~:]*/
%ignore /\s+/
"""

_NAMES = {
    "AND": "AND",
    "OR": "OR",
    "NOT": "NOT",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "LPAR": "'('",
    "RPAR": "')'",
    "FIELD": "a field",
    "PHRASE": "a phrase",
    "PROXIMITY": "'~'",
    "TERM": "a term",
}


@functools.lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    return Lark(
        _GRAMMAR, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=False
    )


def _expected(names) -> str:
    words = {_NAMES.get(n, n) for n in names}
    if {"a term", "a phrase"} & words or "'('" in words:
        return "a term"
    if "')'" in words:
        return "')'"
    return " or ".join(sorted(words)) or "the end of the query"


def _syntax_error(exc, query: str) -> ParameterError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        exc = UnexpectedEOF(exc.expected)
    if isinstance(exc, UnexpectedEOF):
        column = len(query.rstrip()) + 1
        last = query.split()[-1] if query.split() else ""
        after = f" after {last}" if last in ("AND", "OR", "NOT", "-", "+", "(") else ""
        want = _expected(exc.expected)
        if query.count('"') % 2:
            return ParameterError(f"query: a phrase opened with '\"' is never closed in {query!r}")
        return ParameterError(f"query: expected {want}{after} at column {column} (end of query)")
    if isinstance(exc, UnexpectedToken) and exc.token.type == "PROXIMITY":
        return ParameterError(
            f"query: '~' at column {exc.column} must follow a phrase "
            f'("ceasefire talks"~5) in {query!r}'
        )
    if isinstance(exc, UnexpectedToken):
        column, got = exc.column, exc.token
        prev = query[: exc.token.start_pos].split()
        after = f" after {prev[-1]}" if prev and prev[-1] in ("AND", "OR", "NOT") else ""
        want = _expected(exc.expected)
        return ParameterError(
            f"query: expected {want}{after} at column {column}, found {str(got)!r} in {query!r}"
        )
    if isinstance(exc, UnexpectedCharacters):
        column, char = exc.column, exc.char
        if char == '"':
            return ParameterError(
                f"query: a phrase opened with '\"' at column {column} is never closed in {query!r}"
            )
        if char == "~":
            return ParameterError(
                f"query: '~' at column {column} must follow a phrase and give a number "
                f'("ceasefire talks"~5) in {query!r}'
            )
        return ParameterError(f"query: unexpected {char!r} at column {column} in {query!r}")
    return ParameterError(f"query: cannot be read: {exc}")


def _matchers(text: str, where: str) -> tuple:
    """Token matchers of a term or phrase: tokens, or regexes for wildcards."""
    words = word_matchers(text)
    if not words:
        raise ParameterError(f"query: {where} holds no word (only punctuation?)")
    return words


def _build(tree, default: str) -> Node:
    from lark import Tree

    def field_of(token) -> str:
        name = str(token)[:-1].lower()
        if name not in FIELDS:
            raise ParameterError(
                f"query: unknown field {name!r} at column {token.column}; "
                f"fields are {', '.join(FIELDS)}"
            )
        return name

    def words(node: Tree, field: str) -> Node:
        first = node.children[0]
        if node.data == "term":
            return Words(_matchers(str(first), repr(str(first))), field, source=str(first))
        slop = None
        if len(node.children) > 1:
            slop = int(str(node.children[1])[1:])
        phrase = str(first)[1:-1]
        return Words(_matchers(phrase, f"phrase {str(first)!r}"), field, slop, source=phrase)

    def item(node: Tree, field: str) -> tuple[bool, Node]:
        """An item and whether it is negated (so that ``a NOT b`` is ``a AND NOT b``)."""
        kind = node.data
        if kind == "negated":
            negative, inner = item(node.children[1], field)
            return (not negative, inner)
        if kind == "required":
            return item(node.children[1], field)
        if kind == "field_group":
            return False, start(node.children[1].children[1], field_of(node.children[0]))
        if kind == "field_words":
            return False, words(node.children[1], field_of(node.children[0]))
        child = node.children[0]
        if child.data == "group":
            return False, start(child.children[1], field)
        return False, words(child, field)

    def start(node: Tree, field: str) -> Node:
        # A flat list of items and operators, then precedence: NOT > AND > OR.
        ors: list[list[Node]] = [[]]
        op = None
        for child in node.children:
            if not isinstance(child, Tree):
                op = str(child)
                op = "AND" if op == "&&" else "OR" if op == "||" else op
                continue
            negative, part = item(child, field)
            if negative:
                part = Not(part)
                if op is None:  # "a NOT b", "a -b": always AND NOT, as in Lucene
                    op = "AND"
            if op is None:
                op = default
            if op == "OR" and ors[-1]:
                ors.append([])
            ors[-1].append(part)
            op = None
        alls = [group[0] if len(group) == 1 else All(tuple(group)) for group in ors]
        return alls[0] if len(alls) == 1 else Any(tuple(alls))

    return start(tree, "text")


@functools.lru_cache(maxsize=256)
def _parse(query: str, default: str) -> Node:
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(query)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, query) from None
    return _build(tree, default)


def parse_query(query: str, *, default: Default = "AND") -> Node:
    """
    Read a query into a tree of nodes (see the module documentation for the syntax).

    Parameters
    ----------
    query : str
        A query: ``'(ceasefire OR truce) AND "peace talks"~5 NOT title:opinion'``.
    default : {"AND", "OR"}, default "AND"
        What a space between two terms means.

    Returns
    -------
    Node
        :class:`Words`, :class:`All`, :class:`Any` or :class:`Not`.

    Raises
    ------
    ParameterError
        For an empty query, a syntax error (with its column and what was
        expected), an unknown field or a term without a word.

    Examples
    --------
    >>> parse_query("talks OR truce")
    Any(parts=(Words(words=('talks',), field='text', slop=None), Words(words=('truce',), field='text', slop=None)))
    >>> parse_query("ceasefire AND")
    Traceback (most recent call last):
    ...
    analysis.errors.ParameterError: query: expected a term after AND at column 14 (end of query)
    """
    if default not in ("AND", "OR"):
        raise ParameterError(f"default must be 'AND' or 'OR', got {default!r}")
    if not isinstance(query, str) or not query.strip():
        raise ParameterError(f"query: {query!r} is not a non-empty string")
    return _parse(query, default)


def query_fields(node: Node) -> set[str]:
    """
    Return the fields a parsed query reads.

    Examples
    --------
    >>> sorted(query_fields(parse_query("talks title:truce")))
    ['text', 'title']
    """
    if isinstance(node, Words):
        return {node.field}
    if isinstance(node, Not):
        return query_fields(node.part)
    return set().union(*(query_fields(p) for p in node.parts))


def query_terms(query: str | Sequence[str], *, default: Default = "AND") -> list[str]:
    """
    Return the terms and phrases a query looks for in the text, as written.

    The words a reader looks up in context: those under ``NOT`` and those of
    other fields (``outlet:BBC``) are left out; a list of words is its own terms.

    Examples
    --------
    >>> query_terms('(ceasefire OR truce) AND "peace talks"~5 NOT opinion outlet:BBC')
    ['ceasefire', 'truce', 'peace talks']
    >>> query_terms(["negotiat*", "grain deal"])
    ['negotiat*', 'grain deal']
    """
    if not isinstance(query, str):
        return list(dict.fromkeys(str(q) for q in query if str(q).strip()))
    found: list[str] = []

    def walk(node: Node) -> None:
        if isinstance(node, Words):
            if node.field == "text" and node.source:
                found.append(node.source)
        elif not isinstance(node, Not):
            for part in node.parts:
                walk(part)

    walk(parse_query(as_query(query), default=default))
    return list(dict.fromkeys(found))


def as_query(value: str | Sequence[str]) -> str:
    """
    Return a query string for a query or a list of words (any of them: ``OR``).

    A string of comma-separated words with no operator, quote or bracket (how a
    list of words is written on the command line) is such a list too.

    Examples
    --------
    >>> as_query(["ceasefire", "grain deal"])
    'ceasefire OR "grain deal"'
    >>> as_query("ceasefire, talks")
    'ceasefire OR talks'
    >>> as_query("ceasefire AND talks")
    'ceasefire AND talks'
    """
    if isinstance(value, str):
        if "," not in value or any(c in value for c in '"()') or _OPERATOR.search(value):
            return value
        value = value.split(",")
    words = [str(w).strip() for w in value if str(w).strip()]
    return " OR ".join(f'"{w}"' if len(w.split()) > 1 else w for w in words)
