"""Reported speech and "according to": attributions found from a cue word in a sentence."""

from __future__ import annotations

import re

from analysis.measures.quotes_lexicon import (
    _ADVERBIAL,
    _CUE_FORMS,
    _CUE_RE,
    _OBJECT_CUES,
    _PRONOUNS,
    _STANCE_VERBS,
    _WEAK_CUES,
)
from analysis.measures.quotes_speakers import (
    _Attribution,
    _name_runs,
    _np_before_cue,
    _Speaker,
    _speaker_from_np,
)

_SENT_END_TRIM = re.compile(r"[\s.;:!?,]*$")


def _content_end(text: str, a: int, b: int) -> int:
    """End of a clause, without its final punctuation (a closing quote mark is kept)."""
    seg = text[a:b]
    m = re.search(r"[\"”']+\s*$", seg)
    if m and re.search(r"[.,!?;]\s*[\"”']+\s*$", seg):
        return a + m.end() - len(seg[m.end() :])
    return a + len(_SENT_END_TRIM.sub("", seg))


def _subject_before(text: str, s_start: int, cue_start: int) -> tuple[str, int] | None:
    """The subject noun phrase before a cue in the same sentence: (text, start)."""
    pre = text[s_start:cue_start]
    np = _np_before_cue(pre)
    if not np:
        return None
    words_end = pre.rstrip()
    # trailing auxiliaries were removed from np; locate np inside pre
    idx = words_end.rfind(np.split()[-1]) if np.split() else -1
    if idx < 0:
        return None
    end = idx + len(np.split()[-1])
    head = pre[:end]
    if head.rstrip().endswith(","):
        # "Brian Fallon, a spokesman for Mrs. Clinton, said": keep the appositive with its name
        segs = head.rstrip().rstrip(",").split(",")
        if len(segs) >= 2:
            last = segs[-1].strip()
            if re.match(r"^[A-Z][\w'’.\u2024-]*(?:\s+[A-Z][\w'’.\u2024-]*)+$", last):
                # "One of the authors of the report, Ari Fleischer, said"
                start = len(",".join(segs[:-1])) + 1
                return segs[-1], s_start + start
            if re.match(r"^(?:a|an|the|who|whose|which|one|[a-z])", last):
                start_seg = len(segs) - 2
                # keep "Hollywood, Fla.," inside one appositive
                while start_seg > 0 and re.match(r"^[A-Z][\w.]*\.?$", segs[start_seg].strip()):
                    start_seg -= 1
                subject = ",".join(segs[start_seg:])
                start = len(",".join(segs[:start_seg])) + (1 if start_seg else 0)
                return subject, s_start + start
    last_comma = max(
        head.rfind(","), head.rfind(";"), head.rfind(" — "), head.rfind(" -- "), head.rfind(" ― ")
    )
    start = last_comma + 1 if last_comma >= 0 else 0
    subject = head[start:]
    if not subject.strip():
        return None
    return subject, s_start + start


def _skip_object_and_adverbials(text: str, pos: int, lemma: str, end: int) -> int:
    """Skip "Reuters", "on Monday", "in a statement" after a cue; return where content starts."""
    rest = text[pos:end]
    if lemma in _OBJECT_CUES:
        m = re.match(
            r"^\s+(?:(?:the|a|an|his|her|their|its)\s+)?(?:[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*(?:'s|’s)?(?:\s+[A-Z][\w.'’-]*)*|reporters|journalists|supporters|the\s+\w+|him|her|them|me|us|you|lawmakers|voters|listeners|viewers|an?\s+\w+(?:\s+\w+)?)",
            rest,
        )
        if m:
            pos += m.end()
            rest = text[pos:end]
    m = _ADVERBIAL.match(rest)
    if m:
        pos += m.end()
        rest = text[pos:end]
    # "told Reuters on condition of anonymity that ...": what was said starts at "that"
    m = _THAT_AFTER_CIRCUMSTANCE.match(rest)
    if m is None and lemma in _OBJECT_CUES:
        m = _THAT_SOON.match(rest)
    if m:
        pos += m.start("that")
    return pos


_THAT_SOON = re.compile(r"^(?:\s+[^\s,;:\"“”]+){0,10}?\s+(?P<that>that)\b")
_THAT_AFTER_CIRCUMSTANCE = re.compile(
    r"^\s*(?:on|in|at|during|after|before|from|by|over|via|through|while|with)\b"
    r"(?:\s+[^\s,;:\"“”]+){1,7}?\s+(?P<that>that)\b"
)


def _reported(text: str, s_start: int, s_end: int, cue_m: re.Match, names) -> _Attribution | None:
    cue = cue_m.group(1)
    lemma = _CUE_FORMS[cue.lower()]
    c_start, c_end = cue_m.start(1), cue_m.end(1)
    # "..., saying that ..." / "..., adding ...": the subject is the sentence's subject
    progressive = re.search(
        r"\b(?:is|are|was|were|been|be|am)\s+(?:\w+ly\s+)?$|['’](?:s|re)\s+$", text[s_start:c_start]
    )
    if cue.endswith("ing") and not progressive:
        before = text[s_start:c_start].rstrip()
        if not before.endswith(",") or lemma in _WEAK_CUES:
            return None
        content_start = _skip_object_and_adverbials(text, c_end, lemma, s_end)
        content_start += len(text[content_start:s_end]) - len(text[content_start:s_end].lstrip())
        end = _content_end(text, content_start, s_end)
        if end - content_start < 8:
            return None
        sp = _main_subject(text, s_start, c_start, names)
        return _Attribution([(content_start, end)], sp, cue, _kind(lemma))
    subj = _subject_before(text, s_start, c_start)
    if subj is not None and (
        _CUE_RE.search(subj[0].split(",")[0])
        or (lemma in _WEAK_CUES and _CLAUSE_IN_SUBJECT.search(subj[0].split(",")[0]))
    ):
        subj = None  # the words before the cue hold a verb: not a subject
    after_pos = _skip_object_and_adverbials(text, c_end, lemma, s_end)
    tail = text[after_pos:s_end]
    tail_core = tail.strip(" .!?;\"”’'\u00a0")
    sentence = text[s_start:s_end]
    pre = text[s_start:c_start]
    lead = s_start + (len(pre) - len(pre.lstrip()))
    appositive_subject = subj is not None and subj[1] <= lead and "," in subj[0]
    if pre.rstrip().endswith(",") and not appositive_subject:
        inverted = _inverted(
            text, lead, s_start + len(pre.rstrip()) - 1, c_end, s_end, cue, lemma, names
        )
        if inverted is not None:
            return inverted
    if _COORDINATED.search(pre) and lemma not in _WEAK_CUES:
        # "Grassley downplayed the attack and said ...": the subject of the first verb
        sp = _main_subject(text, s_start, c_start, names)
        start = after_pos + (len(tail) - len(tail.lstrip()))
        end = _content_end(text, start, _clause_end(text, start, s_end))
        if sp is None or len(text[start:end].split()) < 2 or tail.lstrip()[:1] in ",:":
            return None
        return _Attribution([(start, end)], sp, cue, _kind(lemma))
    if subj is None:
        return None
    subject, subj_start = subj
    head_words = subject.split(",")[0].split()
    if not head_words or len(head_words) > 12 or len(subject.split()) > 40:
        return None
    if head_words[0].lower() in {"who", "which", "that"}:
        return _relative(text, s_start, s_end, subj_start, c_end, after_pos, cue, lemma, names)
    if lemma in _WEAK_CUES and not _is_sourcey(subject):
        return None
    comma = text.rfind(",", s_start, subj_start)
    after_text = tail.lstrip()
    before_words = len(text[s_start:comma].split()) if comma > s_start else 0
    before_content = before_words >= 2 or (before_words == 1 and after_text.startswith(","))
    if before_content and (
        not tail_core or _is_circumstance(after_text) or after_text.startswith(",")
    ):
        sp = _speaker_from_np(subject, subj_start, sentence, names)
        if sp is None:
            return None
        end = _content_end(text, lead, comma)
        rest = text[c_end:s_end]
        parenthetical = re.match(r"^[^,]{0,60},\s*(?P<more>\S.*)$", rest, re.S)
        if parenthetical and len(parenthetical.group("more").split()) >= 3:
            end = _content_end(text, lead, s_end)  # "The problem, she said, is that ..."
        if end - lead < 8:
            return None
        return _Attribution([(lead, end)], sp, cue, _kind(lemma))
    if not tail_core or after_text.startswith((",", ":", "—", "–")):
        return None
    if after_text.startswith(('"', "“", "''")):
        return None  # a direct quote, attributed by the quote rules
    if re.match(r"^\s+by\b", text[c_end:s_end]):
        return None  # passive: "proposals backed by the governor"
    sp = _speaker_from_np(subject, subj_start, sentence, names)
    if sp is None:
        return None
    start = after_pos + (len(tail) - len(after_text))
    end = _content_end(text, start, _clause_end(text, start, s_end))
    if end - start < 6 or len(text[start:end].split()) < 2:
        return None
    return _Attribution([(start, end)], sp, cue, _kind(lemma))


_NEXT_CLAUSE = re.compile(
    r"\s(?:—|–|--)\s(?=(?:\S+\s+){3})|,\s+(?:adding|saying|noting|arguing|citing|insisting|warning|"
    r"explaining|according to|though|although)\b"
)


def _clause_end(text: str, start: int, s_end: int) -> int:
    """Where reported content stops: a dash before a new clause, or ", adding ..."."""
    m = _NEXT_CLAUSE.search(text, start, s_end)
    return m.start() if m and m.start() - start >= 8 else s_end


def _relative(text, s_start, s_end, rel_start, c_end, after_pos, cue, lemma, names):
    """ "Clinton, who believes ...": the speaker is the name before the relative pronoun."""
    rel_start += len(text[rel_start:c_end]) - len(text[rel_start:c_end].lstrip())
    rel = re.match(r"(?:who|which)\b", text[rel_start:c_end])
    before = text[s_start:rel_start].rstrip()
    if rel is None or not before.endswith(","):
        return None
    segments = before[:-1].split(",")
    seg = segments[-1]
    if re.match(r"^\s*(?:a|an|the)\s", seg) and len(segments) > 1 and _name_runs(segments[-2]):
        seg = segments[-2]  # "Uihlein, an Illinois manufacturer, who ...": the name
    runs = _name_runs(seg)
    if runs and not seg[runs[-1][1] :].strip():
        phrase = seg[runs[-1][0] :]  # the name right before "who"
    else:  # "opposed by a senior official, who ...": the noun phrase after the last preposition
        phrase = " ".join(
            re.split(r"\b(?:by|of|from|to|with|for|at|in|on|than)\s+", seg)[-1].split()[-5:]
        )
    at = s_start + before.rfind(phrase)
    antecedent = _speaker_from_np(phrase, at, text[s_start:s_end], names)
    if antecedent is None or antecedent.name.lower() in _PRONOUNS:
        return None
    start = after_pos + len(text[after_pos:s_end]) - len(text[after_pos:s_end].lstrip())
    comma = text.find(",", start, s_end)
    end = _content_end(text, start, comma if comma > 0 else s_end)
    if len(text[start:end].split()) < 2:
        return None
    sp = _Speaker(
        antecedent.name, rel.group(), rel_start, rel_start + rel.end(), antecedent.anonymous
    )
    return _Attribution([(start, end)], sp, cue, _kind(lemma))


_CIRCUMSTANCE = re.compile(
    r"^(?:from|in|at|on|during|after|before|while|outside|inside|near|via|through|with|as|when|"
    r"by|without|over|under|amid|following|last|this|earlier|later|recently)\b"
)


def _is_circumstance(tail: str) -> bool:
    """True for a short tail of time, place or manner ("from his office in Orlando.")."""
    core = tail.strip(" .!?;\"”’'\u00a0")
    return bool(_CIRCUMSTANCE.match(core)) and len(core.split()) <= 8 and " that " not in core


def _inverted(text, lead, comma, c_end, s_end, cue, lemma, names) -> _Attribution | None:
    """ "..., said Hala Agha, a resident." (the speaker after the cue)."""
    m = re.match(r"^\s*(?P<np>[^.!?;,\"“”]{1,80})", text[c_end:s_end])
    if not m or not re.match(r"^\s*(?:[A-Z]|(?:a|an|the|one|two|three|several)\b)", m.group("np")):
        return None
    if len(text[lead:comma].split()) < 3 or _CUE_RE.search(m.group("np")):
        return None
    if len(m.group("np").split()) > 7:
        return None  # a clause, not a speaker
    sp = _speaker_from_np(m.group("np"), c_end + m.start("np"), text[lead:s_end], names)
    if sp is None:
        return None
    end = _content_end(text, lead, comma)
    rest = text[c_end + m.end() : s_end]
    more = re.match(r"^,\s*(?:[^,]{0,80},\s*)?(?P<more>[a-z]*\s*[A-Z]?\S.*)$", rest, re.S)
    if (
        more
        and len(more.group("more").split()) >= 3
        and not re.match(r"^(?:a|an|the|who|whose|which|his|her|their)\b", rest.lstrip(", "))
    ):
        end = _content_end(text, lead, s_end)
    if end - lead < 8:
        return None
    return _Attribution([(lead, end)], sp, cue, _kind(lemma))


_COORDINATED = re.compile(
    r"(?:,\s*|\s)(?:and|but|then|and then|but also|and also)\s+(?:\w+ly\s+)?$"
)
_FIRST_NP = re.compile(
    r"^(?:[A-Z][A-Z .,'-]{2,}(?:\([^)]*\))?\s*[:–—-]+\s*)?(?P<np>[^,;:\"“”]{1,80}?)"
    r"(?=\s+(?:\w+ly\s+)?(?:[a-z]+ed|[a-z]+s|said|told|took|made|went|came|gave|did|was|is|were|are|has|had|will|would|could)\b)"
)


def _main_subject(text: str, s_start: int, c_start: int, names) -> _Speaker | None:
    """The subject at the start of a sentence, for a cue whose own subject is left out."""
    m = _FIRST_NP.match(text, s_start, c_start)
    if not m:
        return None
    return _speaker_from_np(m.group("np"), m.start("np"), text[s_start:c_start], names)


#: the plainest verbs of saying come first when cues compete for a sentence
_PLAIN = {"say", "tell", "add", "note", "write", "ask"}


#: "Ms Georgieva is concerned that ...": a verb outside a relative clause
_CLAUSE_IN_SUBJECT = re.compile(
    r"^(?:(?!\b(?:who|which|that|whose)\b).)*\b(?:is|are|was|were|has|have|had|will|would|been)\b"
    r"(?:(?!\b(?:who|which|whose)\b).)*$",
    re.IGNORECASE,
)


def _kind(lemma: str) -> str:
    return "stance" if lemma in _STANCE_VERBS else "reported"


def _is_sourcey(subject: str) -> bool:
    """True for a subject that can hold a view: a person, a group, a poll, a pronoun."""
    s = subject.strip().lower()
    if s.split()[0] in {"he", "she", "they", "we", "i", "you"}:
        return True
    if re.search(
        r"\b(?:poll|polls|survey|surveys|study|studies|report|reports|analysis|data|research|experts?|voters|officials?|analysts?|critics|supporters|democrats|republicans)\b",
        s,
    ):
        return True
    return bool(re.search(r"[A-Z]", subject))


def _according_to(text: str, s_start: int, s_end: int, m: re.Match, names) -> _Attribution | None:
    sentence = text[s_start:s_end]
    a, b = m.start(), m.end()
    np_m = re.match(r"^\s*(?P<np>[^,.;!?\"“”]{1,120}?)(?=\s*(?:[,.;!?\"“”]|$))", text[b:s_end])
    if not np_m:
        return None
    np = np_m.group("np")
    sp = _speaker_from_np(np, b + np_m.start("np"), sentence, names)
    if sp is None:
        return None
    if a - s_start <= 2 or not text[s_start:a].strip():
        # "According to X, content."
        start = b + np_m.end()
        rest = text[start:s_end]
        start += len(rest) - len(rest.lstrip(" ,"))
        end = _content_end(text, start, s_end)
    else:
        start = s_start + (len(sentence) - len(sentence.lstrip()))
        end = _content_end(text, start, a)
        # "content, according to X, more content."
        after = b + np_m.end()
        tail = text[after:s_end]
        if tail.lstrip().startswith(",") and len(tail.strip(" ,.")) > 12:
            end = _content_end(text, after, s_end)
    if end - start < 8:
        return None
    return _Attribution([(start, end)], sp, "according to", "according_to")
