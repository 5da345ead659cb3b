"""Dictionary files: Lexicoder (.lc3, .lcd), LIWC (.dic), quanteda YAML; errors name file and line."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import dictionary_counts, load_dictionary
from analysis.errors import InputError
from analysis.readers.dictionaries import read_dictionary_file

# Small dictionaries written for these tests.
LEXICODER = """\
+negative
bad*
disaster

+positive
good
peace talks
+neg_positive
not good
"""

LIWC = """\
%
1\tposemo (positive emotion)
2\tnegemo
3\tsocial
%
good\t1
hope*\t1
bad\t2
war*\t2
kind of\t3 1
friend\t3
"""

QUANTEDA = """\
economy:
  positive: [growth, jobs]
  negative:
    - recession
    - unemploy*
politics: [vote, election*]
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize("suffix", [".lc3", ".lcd"])
def test_lexicoder_categories_in_order(tmp_path, suffix):
    book = load_dictionary(write(tmp_path, "lsd" + suffix, LEXICODER))
    assert dict(book) == {
        "negative": ("bad*", "disaster"),
        "positive": ("good", "peace talks"),
        "neg_positive": ("not good",),
    }
    assert book.name == "lsd"


def test_liwc_header_numbers_and_phrases(tmp_path):
    book = load_dictionary(write(tmp_path, "mini.dic", LIWC))
    assert dict(book) == {
        "posemo": ("good", "hope*", "kind of"),
        "negemo": ("bad", "war*"),
        "social": ("kind of", "friend"),
    }
    # the entries count like any other dictionary
    table = dictionary_counts(
        pd.DataFrame({"text": ["Good friend hoped; war and wars, kind of bad."]}), book
    )
    assert dict(zip(table["category"], table["count"])) == {"posemo": 3, "negemo": 3, "social": 2}


def test_liwc_without_tabs_and_latin1(tmp_path):
    text = "%\n1 posemo\n2 negemo\n%\ncafé 1\nbad 2 1\n"
    book = load_dictionary(write(tmp_path, "old.dic", text, encoding="cp1252"))
    assert dict(book) == {"posemo": ("café", "bad"), "negemo": ("bad",)}


def test_quanteda_yaml_nested_categories(tmp_path):
    book = load_dictionary(write(tmp_path, "econ.yml", QUANTEDA))
    assert dict(book) == {
        "economy.positive": ("growth", "jobs"),
        "economy.negative": ("recession", "unemploy*"),
        "politics": ("vote", "election*"),
    }
    nested = load_dictionary({"a": {"b": ["x"], "c": "y"}})
    assert dict(nested) == {"a.b": ("x",), "a.c": ("y",)}


@pytest.mark.parametrize(
    "name, text, line, reason",
    [
        ("a.lc3", "good\n+positive\nnice\n", 1, "before the first"),
        ("a.lcd", "+positive\nok\n+\nbad\n", 3, "without a category"),
        ("a.lc3", "+positive\ngood\n+negative\n...\n", 4, "'negative'"),
        ("a.dic", "good\t1\n", None, "no category header"),
        ("a.dic", "%\n1\tpos\nneg\n%\ngood\t1\n", 3, "<number> <category>"),
        ("a.dic", "%\n1\tpos\n1\tneg\n%\ngood\t1\n", 3, "defined twice"),
        ("a.dic", "%\n1\tpos\n%\ngood\t1\nbad\t2\n", 5, "'2' is not in the header"),
        ("a.dic", "%\n1\tpos\n%\ngood\t1\nlonely\n", 5, "followed by category numbers"),
        ("a.dic", "%\n1\tpos\n%\n(02 134)like\t1\n", 4, "conditional entry"),
        ("a.yaml", "economy:\n  positive: [growth]\n  negative: []\n", 3, "economy.negative"),
        ("a.yaml", "economy:\n  positive:\n    - growth\n    - [nested]\n", 4, "not a list"),
        ("a.yaml", "economy:\n  positive:\n    - growth\n    - '...'\n", 4, "economy.positive"),
        ("a.txt", "+positive\ngood\n", None, "unknown dictionary format"),
        ("a.lc3", "\n\n", None, "no entries"),
    ],
)
def test_bad_files_name_file_line_and_problem(tmp_path, name, text, line, reason):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError, match=reason) as info:
        load_dictionary(path)
    message = str(info.value)
    assert message.startswith(str(path))
    if line is not None:
        assert f"line {line}:" in message


def test_reader_keeps_lines_for_every_entry(tmp_path):
    read = read_dictionary_file(write(tmp_path, "x.lc3", LEXICODER))
    assert read.format == "lexicoder"
    assert read.entries[0] == ("negative", "bad*", 2)
    assert read.entries[-1] == ("neg_positive", "not good", 9)
