"""Direct quotes: quotation marks paired, and the speaker and cue found beside each quote."""

from __future__ import annotations

import re

from analysis.measures.quotes_lexicon import _ANY_MARK, _QUOTE_CUE_ALT, _QUOTE_MARK, _WORD
from analysis.measures.quotes_speakers import _np_before_cue, _Speaker, _speaker_from_np

# ---------------------------------------------------------------------------
# Quotation marks
# ---------------------------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _mark_role(para: str, m: re.Match) -> str:
    """Say whether a quotation mark opens, closes, or could do either ("either")."""
    mark = m.group()
    if mark in ("“", "„", "«", "``"):
        return "open"
    if mark in ("”", "»"):
        return "close"
    before = para[m.start() - 1] if m.start() else " "
    after = para[m.end()] if m.end() < len(para) else " "
    opener = before.isspace() or before in "([{—–-/:"
    closer = after.isspace() or after in ".,;:!?)]}—–-"
    if opener and not closer:
        return "open"
    if closer and not opener:
        return "close"
    return "either"


_SINGLE_MARK = re.compile(r"[‘’']")
_SINGLE_OPENER = re.compile(r"(?:^|[\s(\[—–:])[‘'][A-Z0-9]")


def _single_role(para: str, m: re.Match) -> str:
    """Role of a single quotation mark; "" for an apostrophe (don't, Russia's)."""
    before = para[m.start() - 1] if m.start() else " "
    after = para[m.end()] if m.end() < len(para) else " "
    if before.isalnum() and after.isalnum():
        return ""
    if (before.isspace() or before in '([{—–-/:"“') and (after.isalnum() or after in "$£€…"):
        return "open"
    if not before.isspace() and (after.isspace() or after in '.,;:!?)]}—–-"”'):
        return "close"
    return ""


def _pair_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """
    Pair quotation marks; return quotes as lists of content pieces (start, end).

    Curly marks say which way they face; a straight mark is read from its
    neighbours (a space before it opens, a space or punctuation after it closes).
    A quote still open at the end of a paragraph runs on when the next paragraph
    opens with a quotation mark (the convention for a long quote); otherwise it
    closes at the paragraph end.
    """
    quotes: list[list[tuple[int, int]]] = []
    carry: list[tuple[int, int]] | None = None
    for p_start, p_end in paragraphs:
        para = text[p_start:p_end]
        marks = [(m, _mark_role(para, m)) for m in _QUOTE_MARK.finditer(para)]
        if not marks and _SINGLE_OPENER.search(para):
            # British style: 'single quotes' when a paragraph has no double ones
            marks = [(m, r) for m in _SINGLE_MARK.finditer(para) if (r := _single_role(para, m))]
        indent = len(para) - len(para.lstrip())
        opens_with_mark = bool(marks) and marks[0][0].start() == indent
        pending: list[tuple[int, int]] | None = None
        if carry is not None:
            if opens_with_mark:
                pending = carry  # the long quote goes on in this paragraph
            else:
                quotes.append(carry)
            carry = None
        stack: list[int] = []  # content starts of the open quotes, outermost first
        for m, role in marks:
            pos = p_start + m.start()
            if role == "open" or (role == "either" and not stack):
                if len(stack) < 2:
                    stack.append(pos + len(m.group()))
                else:
                    stack[-1] = pos + len(m.group())  # a stray opener: start again here
                continue
            if not stack:
                continue  # a closing mark with nothing open
            opened = stack.pop()
            if stack:
                continue  # a quote inside a quote
            piece = (opened, pos)
            quotes.append([*pending, piece] if pending is not None else [piece])
            pending = None
        if stack:
            carry = [*(pending or []), (stack[0], p_end)]
        elif pending is not None:
            quotes.append(pending)
    if carry is not None:
        quotes.append(carry)
    return [q for q in quotes if any(text[a:b].strip() for a, b in q)]


# ---------------------------------------------------------------------------
# Attribution around a quote
# ---------------------------------------------------------------------------

_AFTER_NP_CUE = re.compile(
    r"^[\s,]*(?P<np>[^.!?;:\"“”]{1,120}?)\s+(?P<cue>" + _QUOTE_CUE_ALT + r")(?![\w-])"
)
_AFTER_CUE_NP = re.compile(
    r"^[\s,]*(?P<cue>"
    + _QUOTE_CUE_ALT
    + r")\s+(?P<np>[^.!?;\"“”]{1,160}?)(?=\s*(?:[.!?;\"“”]|,\s*[\"“”]|$|,\s+(?:who|which|adding|noting|saying|according)\b))"
)


_QUOTE_CUE_SET = set(_QUOTE_CUE_ALT.split("|"))
_NP_STOP = re.compile(r"[.!?;:\"“”]")


def _after_np_cue(after: str) -> re.Match | None:
    """``_AFTER_NP_CUE.match(after)``, but only tried where a cue word stands (fast)."""
    stop = _NP_STOP.search(after)
    limit = min(len(after), stop.start() + 30 if stop else len(after), 160)
    for w in _WORD.finditer(after, 0, limit):
        if w.group() in _QUOTE_CUE_SET:
            m = _AFTER_NP_CUE.match(after[: w.end()])
            if m:
                return m
            if stop is not None and w.start() > stop.start():
                return None
    return None


_BEFORE_QUOTE = re.compile(
    r"(?<![\w-])(?P<cue>" + _QUOTE_CUE_ALT + r")(?![\w-])(?P<tail>[^.!?\"“”]{0,80}?)[:,]\s*$",
    re.IGNORECASE,
)


def _attribute_quote(
    text: str, q: list[tuple[int, int]], para_end: int, para_start: int, names
) -> tuple[_Speaker | None, str, int, bool]:
    """
    Find the speaker and cue of a direct quote from the words right after or before it.

    Returns the speaker, the cue, the cue's offset and whether the quote sits
    inside a longer sentence of reported speech.
    """
    q_start, q_end = q[0][0], q[-1][1]
    close_len = len(m.group()) if (m := _ANY_MARK.match(text, q_end)) else 0
    after_at = q_end + close_len
    after = text[after_at : min(para_end, after_at + 220)]
    inner_end = text[max(q_start, q_end - 2) : q_end]
    ends_open = bool(re.search(r"[,?!—–-]\s*$", inner_end)) or after.lstrip()[:1] == ","
    lead_in = text[max(para_start, q_start - 40) : q_start].rstrip("\"“„«`'‘ \u00a0")
    # a few quoted words inside a sentence ("golf clubs are ''just scratching out a profit,''
    # Mr. Hedge said"): the whole sentence is what was said
    embedded = bool(re.search(r"[a-z,]$", lead_in)) and not re.search(
        r"\b(?:said|says|added|asked|wrote|told \w+)[,:]?$", lead_in
    )
    if ends_open:
        m = _AFTER_CUE_NP.match(after)
        if m:
            sp = _speaker_from_np(m.group("np"), after_at + m.start("np"), after, names)
            if sp is not None:
                return sp, m.group("cue"), after_at + m.start("cue"), embedded
        m = _after_np_cue(after)
        if m:
            np = _np_before_cue(m.group("np"))
            if np and len(np.split()) <= 14:
                sp = _speaker_from_np(np, after_at + m.start("np"), after, names)
                if sp is not None:
                    return sp, m.group("cue"), after_at + m.start("cue"), embedded
    # before: "X said: "..." / "X said, "..."
    open_len = 0
    if q_start > 0:
        marks = list(_ANY_MARK.finditer(text, max(0, q_start - 2), q_start))
        open_len = (q_start - marks[-1].start()) if marks else 0
    before_end = q_start - open_len
    before = text[max(para_start, before_end - 220) : before_end]
    bm = _BEFORE_QUOTE.search(before)
    if bm:
        tail = bm.group("tail")
        if len(tail.split()) <= 10:
            pre = before[: bm.start()]
            cut = max(
                pre.rfind(". "), pre.rfind("? "), pre.rfind("! "), pre.rfind("” "), pre.rfind('" ')
            )
            np_start = cut + 2 if cut >= 0 else 0
            window = max(para_start, before_end - 220)
            if not pre[np_start:].strip() and tail.strip():
                # 'Said one resident, "..."': the speaker follows the cue
                sp = _speaker_from_np(tail, window + bm.start("tail"), before, names)
                if sp is not None:
                    return sp, bm.group("cue"), window + bm.start(), False
            if len(pre[np_start:].split()) > 8 and "," in pre[np_start:]:
                np_start += pre[np_start:].rfind(",") + 1  # "In an interview, Trump was asked,"
            np = _np_before_cue(pre[np_start:])
            if np and len(np.split()) <= 14 and bm.group("cue")[0].islower():
                base = max(para_start, before_end - 220) + np_start
                sp = _speaker_from_np(np, base, before, names)
                if sp is not None:
                    return sp, bm.group("cue"), base + len(before[: bm.start()]) - np_start, False
    return None, "", -1, False
