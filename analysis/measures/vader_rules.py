"""Constants and word lists of the VADER rules, as each reference implementation defines them."""

from __future__ import annotations

# Constants shared by both references (empirically derived in the VADER paper).
B_INCR = 0.293
B_DECR = -0.293
C_INCR = 0.733
N_SCALAR = -0.74

NEGATE = frozenset(
    """aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't
    daren't didn't doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't
    hadn't hasn't haven't isn't mightn't mustn't neednt needn't never none nope nor not
    nothing nowhere oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't shouldn't
    uh-uh wasn't weren't without wont wouldnt won't wouldn't rarely seldom despite""".split()
)

_BOOST_UP_NLTK = """absolutely amazingly awfully completely considerably decidedly deeply
    effing enormously entirely especially exceptionally extremely fabulously flipping
    flippin fricking frickin frigging friggin fully fucking greatly hella highly hugely
    incredibly intensely majorly more most particularly purely quite really remarkably so
    substantially thoroughly totally tremendously uber unbelievably unusually utterly very"""
_BOOST_DOWN_NLTK = """almost barely hardly kinda kindof kind-of less little marginally
    occasionally partly scarcely slightly somewhat sorta sortof sort-of"""
_BOOST_PHRASES = ("just enough", "kind of", "sort of")
# vaderSentiment 3.3.2 also boosts these adjectives and slang forms.
_BOOST_UP_VADER_ONLY = """considerable enormous exceptional extreme frackin fracking fuckin
    fuggin fugging incredible major total tremendous utter"""
_BOOST_DOWN_VADER_ONLY = "marginal occasional scarce slight"


def _boosters(up: str, down: str) -> dict[str, float]:
    table = {w: B_INCR for w in up.split()}
    table.update({w: B_DECR for w in down.split()})
    table.update({p: B_DECR for p in _BOOST_PHRASES})
    return table


BOOSTERS_NLTK: dict[str, float] = _boosters(_BOOST_UP_NLTK, _BOOST_DOWN_NLTK)
BOOSTERS_VADER: dict[str, float] = _boosters(
    _BOOST_UP_NLTK + " " + _BOOST_UP_VADER_ONLY, _BOOST_DOWN_NLTK + " " + _BOOST_DOWN_VADER_ONLY
)

#: Phrases whose valence replaces the computed one (vaderSentiment, matched lowercase).
IDIOMS_VADER: dict[str, float] = {
    "the shit": 3,
    "the bomb": 3,
    "bad ass": 1.5,
    "badass": 1.5,
    "bus stop": 0.0,
    "yeah right": -2,
    "kiss of death": -1.5,
    "to die for": 3,
    "beating heart": 3.5,
}
#: The same for NLTK (matched case-sensitively).
IDIOMS_NLTK: dict[str, float] = {
    "the shit": 3,
    "the bomb": 3,
    "bad ass": 1.5,
    "yeah right": -2,
    "cut the mustard": 2,
    "kiss of death": -1.5,
    "hand to mouth": -2,
}

#: Punctuation that NLTK strips from a word edge when it is exactly one of these.
PUNC_LIST_NLTK = frozenset(
    [
        ".",
        "!",
        "?",
        ",",
        ";",
        ":",
        "-",
        "'",
        '"',
        "!!",
        "!!!",
        "??",
        "???",
        "?!?",
        "!?!",
        "?!?!",
        "!?!?",
    ]
)
