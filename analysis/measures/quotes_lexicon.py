"""Word lists of the quote rules (cue verbs, titles, source words) and patterns built on them."""

from __future__ import annotations

import re

#: verbs of saying: lemma -> the forms that cue an attribution
_SPEECH_VERBS = {
    "say": "say says said saying",
    "tell": "tell tells told telling",
    "add": "add adds added adding",
    "note": "note notes noted noting",
    "write": "write writes wrote writing",
    "argue": "argue argues argued arguing",
    "claim": "claim claims claimed claiming",
    "state": "stated stating",
    "explain": "explain explains explained explaining",
    "insist": "insist insists insisted insisting",
    "warn": "warn warns warned warning",
    "suggest": "suggest suggests suggested suggesting",
    "announce": "announce announces announced announcing",
    "unveil": "unveiled unveils unveiling",
    "acknowledge": "acknowledge acknowledges acknowledged acknowledging",
    "admit": "admit admits admitted admitting",
    "concede": "concede concedes conceded conceding",
    "contend": "contend contends contended contending",
    "assert": "assert asserts asserted asserting",
    "declare": "declare declares declared declaring",
    "predict": "predict predicts predicted predicting",
    "recall": "recall recalls recalled recalling",
    "reply": "reply replies replied replying",
    "respond": "respond responds responded responding",
    "complain": "complain complains complained complaining",
    "confirm": "confirm confirms confirmed confirming",
    "deny": "deny denies denied denying",
    "report": "reported reporting",
    "tweet": "tweet tweets tweeted tweeting",
    "post": "posted",
    "emphasize": "emphasize emphasizes emphasized emphasised emphasizing emphasising",
    "stress": "stressed stressing",
    "reveal": "reveal reveals revealed revealing",
    "indicate": "indicate indicates indicated indicating",
    "observe": "observed observes",
    "counter": "countered counters",
    "estimate": "estimated estimates",
    "ask": "ask asks asked asking",
    "describe": "describe describes described describing",
    "call": "call calls called calling",
    "cite": "cite cites cited citing",
    "point": "pointed",
    "reiterate": "reiterate reiterates reiterated reiterating",
    "propose": "propose proposes proposed proposing",
    "promise": "promise promises promised promising",
    "vow": "vow vows vowed vowing",
    "pledge": "pledge pledges pledged pledging",
    "urge": "urge urges urged urging",
    "question": "questioned questioning",
    "allege": "allege alleges alleged alleging",
    "maintain": "maintains maintained",
    "mention": "mentioned mentions",
    "boast": "boasted boasts",
    "remind": "reminded reminds reminding",
    "tout": "touted touts touting",
    "conclude": "concluded concludes concluding",
    "quip": "quipped",
    "joke": "joked",
    "recount": "recounted",
    "testify": "testified",
    "discuss": "discuss discusses discussed discussing",
    "echo": "echoed echoes echoing",
    "disclose": "disclosed discloses disclosing",
    "signal": "signaled signalled signals signaling signalling",
    "voice": "voiced voices voicing",
    "request": "requested requests requesting",
    "plead": "pleaded pleads pleading",
    "encourage": "encouraged encourages encouraging",
    "offer": "offered offers offering",
    "order": "ordered orders",
    "talk": "talked talking",
    "refer": "referring referred refers",
    "imply": "implied implies implying",
    "thank": "thanked thanking",
    "yell": "yelled yelling",
    "shout": "shouted shouting",
    "recommend": "recommended recommends recommending",
    "hint": "hinted hints hinting",
    "assure": "assured assures assuring",
    "dispute": "disputed disputes disputing",
    "lament": "lamented laments lamenting",
    "scoff": "scoffed scoffs",
    "brag": "bragged brags bragging",
    "speculate": "speculated speculates speculating",
    "caution": "cautioned cautions cautioning",
    "threaten": "threatened threatens threatening",
    "forecast": "forecast forecasts forecasted",
    "reaffirm": "reaffirmed reaffirms",
    "retort": "retorted",
    "affirm": "affirmed affirms",
    "clarify": "clarified clarifies",
}
#: verbs of thinking, wanting and judging: the attributed view is a stance, not a quote
_STANCE_VERBS = {
    "believe": "believe believes believed",
    "think": "think thinks thought",
    "fear": "fear fears feared",
    "hope": "hope hopes hoped hoping",
    "expect": "expect expects expected expecting",
    "know": "knows knew",
    "worry": "worry worries worried",
    "doubt": "doubts doubted",
    "show": "show shows showed",
    "find": "find finds found",
    "see": "see sees saw",
    "accuse": "accuse accuses accused accusing",
    "criticize": "criticize criticizes criticized criticised criticizing",
    "praise": "praise praises praised praising",
    "blame": "blame blames blamed blaming",
    "defend": "defended defends defending",
    "reject": "rejected rejects rejecting",
    "dismiss": "dismissed dismisses dismissing",
    "agree": "agree agrees agreed",
    "disagree": "disagree disagrees disagreed",
    "seek": "seek sought seeks seeking",
    "plan": "plans planned planning",
    "want": "want wants wanted wanting",
    "endorse": "endorsed endorses endorsing",
    "support": "support supports supported supporting",
    "oppose": "oppose opposes opposed opposing",
    "refuse": "refused refuses refusing",
    "decline": "declined declines",
    "attack": "attacked attacks attacking",
    "blast": "blasted blasts blasting",
    "slam": "slammed slams slamming",
    "welcome": "welcomed welcomes",
    "condemn": "condemned condemns condemning",
    "denounce": "denounced denounces denouncing",
    "express": "expressed expresses expressing",
    "wonder": "wondered wonders",
    "recognize": "recognized recognizes",
    "realize": "realized realizes",
    "consider": "consider considers considered considering",
    "seem": "seemed seems",
    "appear": "appears appeared",
    "decide": "decided decides",
    "feel": "feel feels felt",
    "learn": "learned learns",
    "understand": "understand understands understood",
    "favor": "favor favors favored favour favours favoured",
    "prefer": "prefer prefers preferred",
    "demand": "demand demands demanded demanding",
    "remember": "remember remembers remembered",
    "trust": "trusts trusted",
    "accept": "accepted accepts",
    "back": "backed backing backs",
    "mock": "mocked mocks mocking",
    "challenge": "challenged challenges challenging",
    "highlight": "highlighted highlights highlighting",
    "portray": "portrayed portrays portraying",
    "rail": "railed rails railing",
    "project": "projected",
    "credit": "credited credits crediting",
    "fault": "faulted faults",
    "calculate": "calculated calculates",
    "determine": "determined",
    "applaud": "applauded applauds",
    "embrace": "embraced embraces embracing",
    "dislike": "dislike dislikes disliked",
    "like": "likes liked",
    "love": "loves loved",
    "hate": "hates hated",
    "suspect": "suspect suspects suspected",
    "assume": "assumed assumes",
    "imagine": "imagine imagined imagines",
    "anticipate": "anticipated anticipates",
}
_CUE_FORMS = {
    form: lemma
    for verbs in (_SPEECH_VERBS, _STANCE_VERBS)
    for lemma, forms in verbs.items()
    for form in forms.split()
}
#: cues that take the person spoken to as an object ("told Reuters", "asked reporters")
_OBJECT_CUES = {"tell", "ask", "urge", "remind"}
#: stance cues need a subject that can hold a view (a person, a group, a poll)
_WEAK_CUES = set(_STANCE_VERBS)

_CUE_ALT = "|".join(sorted(_CUE_FORMS, key=len, reverse=True))
_CUE_RE = re.compile(r"(?<![\w-])(" + _CUE_ALT + r")(?![\w-])")
#: verbs that attribute only when they sit right next to a quotation ('"...," she continued')
_QUOTE_ONLY = (
    "continued exclaimed shouted yelled whispered laughed joked quipped mused retorted snapped "
    "cautioned offered remarked answered chimed interjected demanded pleaded sighed explained "
    "recalled added noted replied responded wondered asked insisted declared"
).split()
_QUOTE_CUE_ALT = "|".join(
    sorted(
        {f for f, lemma in _CUE_FORMS.items() if lemma in _SPEECH_VERBS} | set(_QUOTE_ONLY),
        key=len,
        reverse=True,
    )
)
_HEADLINE_CUE_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(
        sorted({f.capitalize() for f in _CUE_FORMS} | set(_CUE_FORMS), key=len, reverse=True)
    )
    + r")(?![\w-])"
)
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to\b")

_TITLES = {
    w.lower().replace(".", "")
    for w in """President Vice Prime Minister Ministers Deputy Secretary General Gen Gen. Lt Lt. Col Col.
    Maj Maj. Capt Capt. Sgt Sgt. Adm Adm. Mayor Governor Gov Gov. Senator Sen Sen. Representative Rep Rep.
    Congressman Congresswoman Chairman Chairwoman Chair Speaker Leader Spokesman Spokeswoman
    Spokesperson Ambassador Director Commissioner Chancellor Judge Justice Attorney Sheriff Chief
    Dr Dr. Mr Mr. Mrs Mrs. Ms Ms. Miss Prof Prof. Professor Rev Rev. Father Pope King Queen Prince
    Princess Sir Dame Lord Lady Foreign Defence Defense Interior Health Finance Economy Justice
    Home State Treasury Commerce Trade Foreign Affairs Officer Official Adviser Advisor Aide
    Commander Colonel Major Captain Sergeant Lieutenant Admiral General Candidate Nominee Former
    Acting Head Executive CEO Founder Presidential Press Mr.. Democratic Republican GOP Sens. Reps.
    Govs. Drs. Messrs.""".split()
}
_SOURCE_NOUNS = (
    "official|officials|source|sources|diplomat|diplomats|aide|aides|adviser|advisers|advisor|"
    "advisors|person|people|insider|insiders|officer|officers|staffer|staffers|member|members|"
    "spokesman|spokeswoman|spokesperson|representative|executive|executives|analyst|analysts|"
    "resident|residents|witness|witnesses|lawmaker|lawmakers|employee|employees|worker|workers"
)
_ANON_NP = re.compile(
    r"^(?:a|an|one|two|three|four|five|several|some|many|multiple|other|few|two other|a few)\b"
    r"[^,]{0,80}?\b(?:" + _SOURCE_NOUNS + r")\b",
    re.IGNORECASE,
)
_BARE_SOURCES = re.compile(r"^(?:sources?|officials|insiders|people familiar with [^,]+)$", re.I)
_ANON_MARKERS = re.compile(
    r"on (?:the )?condition of anonymity|declined to be (?:named|identified)|"
    r"(?:was|were|is|are) not authori[sz]ed to (?:speak|comment|discuss)|"
    r"asked not to be (?:named|identified)|speaking anonymously|requested anonymity|"
    r"spoke anonymously|who was not named",
    re.IGNORECASE,
)
_NAMED_AS = re.compile(
    r"\b(?:gave (?:his|her|their) (?:first )?name (?:only )?as|identified (?:only )?as|"
    r"who (?:asked to be )?identified (?:herself|himself|themselves)? ?(?:only )?as)\s+"
    r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)"
)
_DETERMINERS = {
    "the",
    "a",
    "an",
    "some",
    "many",
    "most",
    "all",
    "both",
    "one",
    "two",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
}
#: forms of "be"
_BE = {"is", "was", "were", "are", "be", "been", "being"}
_FUNCTION_WORDS = (
    _DETERMINERS
    | _BE
    | {
        "had",
        "has",
        "have",
        "did",
        "does",
        "do",
        "could",
        "would",
        "should",
        "will",
        "can",
        "may",
        "might",
        "must",
        "if",
        "to",
        "not",
        "why",
        "how",
        "what",
        "whether",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "than",
        "so",
        "such",
        "this",
        "these",
        "those",
        "your",
        "even",
        "also",
        "only",
        "just",
        "and",
        "or",
        "but",
        "no",
        "nor",
        "yet",
        "because",
        "about",
        "into",
        "over",
        "after",
        "before",
        "when",
        "while",
        "where",
        "there",
        "here",
    }
)
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that"}
_RESOLVABLE = {"he", "she"}
_LEADING_CONJ = re.compile(
    r"^(?:and|but|or|while|whereas|as|because|although|though|when|since|after|before|so|"
    r"yet|if|where|until|even as|even though|however)\b\s*,?\s*",
    re.IGNORECASE,
)
_LEADING_TIME = re.compile(
    r"^(?:(?:on|by|late|early|earlier|last|this)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|today|yesterday)(?:\s+(?:night|morning|afternoon|evening))?\s*,?\s+",
    re.IGNORECASE,
)
_AUX = _BE | {
    "has",
    "have",
    "had",
    "also",
    "later",
    "earlier",
    "previously",
    "repeatedly",
    "once",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
    "did",
    "does",
    "do",
    "not",
    "never",
    "publicly",
    "privately",
    "recently",
    "then",
    "again",
    "further",
    "simply",
    "only",
    "often",
    "always",
    "still",
    "already",
    "even",
    "reportedly",
    "allegedly",
    "just",
    "now",
    "separately",
    "quickly",
    "flatly",
    "frequently",
    "long",
    "first",
    "last",
    "likewise",
    "similarly",
    "specifically",
    "explicitly",
    "openly",
    "bluntly",
    "angrily",
    "told",
    "should",
    "must",
    "shall",
    "to",
    "went",
    "on",
}
_DAYS_WORDS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight|"
    "week|weekend|month|year"
)
_DAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight|"
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\."
)
#: time, place and channel phrases that may sit between a cue and what was said
_ADVERBIAL = re.compile(
    r"""^(?:\s*,?\s*(?:
        (?:on|late|early|last|this|next|earlier|later)\s+(?:"""
    + _DAYS
    + r"""|week|month|year|night|morning|afternoon|evening)\b(?:\s+(?:night|morning|afternoon|evening))?
      | (?:"""
    + _DAYS
    + r""")\b(?:\s+(?:night|morning|afternoon|evening))?
      | earlier|later|previously|again|also|repeatedly|recently|publicly|privately|separately|frankly|bluntly|flatly|simply|then|too|once
      | (?:in|during|at|on|via|through|over)\s+(?:a|an|the|his|her|their|its|this|that)\s+(?:[\w-]+\s+){0,3}?
            (?:statement|interview|tweet|post|letter|speech|memo|email|e-mail|release|conference|briefing|call|appearance|rally|op-ed|column|message|video|broadcast|hearing|debate|address|meeting|session|event|show|podcast|program|programme|report|filing|note|book|blog|essay|article)s?
            (?:\s+(?:with|to|on|at|in|for|from|of)\s+(?:the\s+)?[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*(?:'s|’s)?(?:\s+[\w-]+){0,2}?)?
      | on\s+(?:national\s+|state\s+)?(?:television|TV|radio|Twitter|Facebook|Instagram|camera|Sunday|the\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)
      | (?:to|for)\s+(?:reporters|journalists|the\s+press|supporters|a\s+crowd|the\s+crowd|the\s+audience|an\s+audience|students|voters|delegates)
      | in\s+(?:an?\s+)?(?:emailed\s+|written\s+|joint\s+|brief\s+)?(?:statement|interview|remarks|comments|testimony)s?
      | in\s+(?:[A-Z][\w-]*)(?:,\s+[A-Z][\w.-]*)?
    ))+""",
    re.VERBOSE,
)
_NAME_TOKEN = r"(?:[A-Z][\w'’\u2024-]*|de|da|van|von|al-[A-Z][\w-]*|bin|le|la|du|del|der)"
_NAME_RUN = re.compile(_NAME_TOKEN + r"(?:[ \t\u00a0]+" + _NAME_TOKEN + r")*")
_QUOTE_MARK = re.compile(r"''|``|[\"“”„«»]")
_ANY_MARK = re.compile(r"''|``|[\"“”„«»‘’']")
_WORD = re.compile(r"(?<![\w-])[A-Za-z]+(?![\w-])")

#: First names that, in English-language news, nearly always belong to a man or to a
#: woman: they keep "he" from resolving to "Hillary Clinton" and "she" to "Bernie
#: Sanders". Names used for both (Chris, Pat, Kelly, Jordan...) are left out.
_MALE_NAMES = frozenset(
    """Aaron Abraham Adam Alan Albert Alexander Alexei Andrew Andrei Angus Anthony Antonin Arnold
    Arthur Barack Barry Ben Benjamin Bernard Bernie Bill Billy Bob Boris Brad Bradley Brandon Brent
    Brett Brian Bruce Bryan Carl Carlos Charles Charlie Chuck Clarence Colin Craig Dan Daniel
    Darren Dave David Dennis Dick Dmitry Dmytro Don Donald Doug Douglas Duncan Dwight Ed Eddie
    Edward Emmanuel Eric Frank Fred Frederick Gary Gavin George Gerald Glenn Gordon Greg Gregory
    Harold Harry Henry Howard Ian Igor Isaac Ivan Jack Jacob James Jared Jason Jeb Jeff Jeffrey
    Jeremy Jerry Jim Jimmy Joe John Johnny Jon Jonathan Joseph Josh Joshua Juan Justin Keith Ken
    Kenneth Kevin Kyle Larry Lawrence Leon Louis Luis Manuel Marvin Milton Norman Marco Mark Martin Matt Matthew Michael Mike Mitch Mitt
    Mohammed Muhammad Nathan Neil Nicholas Nick Olaf Oleg Oliver Patrick Paul Pete Peter Phil
    Philip Ralph Rand Randy Raymond Reince Richard Rick Rob Robert Roger Ron Ronald Roy Rudy Rupert
    Russell Ryan Samuel Scott Sean Sergei Sergey Stephen Steve Steven Stuart Ted Terrence Thomas
    Tim Timothy Todd Tom Tony Travis Tyler Viktor Vitali Vladimir Volodymyr Walter Wayne William
    Willie Xi Yuri Zachary""".split()
)
_FEMALE_NAMES = frozenset(
    """Abigail Alice Alicia Alison Allison Amanda Amy Ana Andrea Angela Ann Anna Anne Annette
    Barbara Betsy Betty Beverly Brenda Carly Carol Caroline Catherine Cathy Cheryl Christina
    Christine Claire Condoleezza Cynthia Debbie Deborah Debra Denise Diana Diane Donna Doris
    Dorothy Elaine Eleanor Elena Elizabeth Ellen Emily Emma Erin Eva Frances Gillian Gina Gloria
    Hanna Hannah Heather Heidi Helen Hillary Huma Irina Ivanka Jane Janet Janice Jennifer
    Jessica Jill Joan Joanne Joni Joyce Judith Judy Julia Julie Karen Katherine Kathleen Kathy
    Katie Kayleigh Kellyanne Kimberly Kirsten Laura Lauren Linda Lisa Liz Loretta Louise Lynn
    Margaret Maria Marie Marilyn Martha Mary Maureen Megan Melania Melissa Michelle Monica Nancy
    Natalia Nataliia Nicola Nicole Nikki Olena Olga Pamela Patricia Paula Rachel Rebecca Rosalind
    Ruth Sally Samantha Sandra Sara Sarah Sharon Shirley Stephanie Susan Susana Svetlana Tatiana
    Teresa Theresa Tiffany Tina Ursula Valerie Victoria Virginia Wendy Yulia""".split()
)
