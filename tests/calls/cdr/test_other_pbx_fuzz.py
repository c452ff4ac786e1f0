"""Hypothesis: the other PBXs' parsers never raise on damaged input, and account for every
non-blank line once, in order (a record, a rejection or a skipped line)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from calls.cdr.avaya_smdr import parse_avaya_smdr
from calls.cdr.cisco_cucm import parse_cisco_cucm
from calls.cdr.grandstream_ucm import parse_grandstream_ucm
from calls.cdr.panasonic_smdr import parse_panasonic_smdr
from calls.cdr.yeastar import parse_yeastar
from tests.conftest import ROME

from .helpers import FIXTURES

# Quote-free damage, so that every physical line is one record.
NOISE = ["garbage", ";;;", "1,2,3", "2024/12/02 10:00:00", "01/02/02 10:03AM", "\x00\x00", "é,ü"]


def _sample_lines(name, skip_header):
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return lines[1:] if skip_header else lines


def _damaged(lines):
    return st.one_of(
        st.sampled_from(lines),
        st.builds(
            lambda text, cut: text[: int(len(text) * cut)], st.sampled_from(lines), st.floats(0, 1)
        ),
        st.builds(
            lambda text, position, char: text[:position] + char + text[position + 1 :],
            st.sampled_from(lines),
            st.integers(0, 200),
            st.sampled_from(["x", ",", "9", " ", "/", ":", "'"]),
        ),
        st.sampled_from(NOISE),
        st.text(
            alphabet=st.characters(
                blacklist_characters='"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'
            ),
            max_size=40,
        ),
    )


def _check(items, texts, first_number):
    nonblank = [
        number for number, text in enumerate(texts, start=first_number) if text.strip("\x00 \t")
    ]
    numbers = [item.line_number for item in items]
    assert numbers == sorted(set(numbers))
    assert set(numbers) <= set(range(first_number, first_number + len(texts)))
    quote_free = all('"' not in text for text in texts)
    if quote_free:
        assert set(numbers) >= {n for n in nonblank if texts[n - first_number].strip()}


AVAYA = [line.replace('"', "") for line in _sample_lines("avaya-smdr-examples.csv", False)]
PANASONIC = _sample_lines("panasonic-smdr-kx-ns.txt", False)
CUCM = (FIXTURES / "cdr_StandAloneCluster_01_202412021000_1").read_text().splitlines()
UCM = (FIXTURES / "grandstream-ucm-cdr.csv").read_text().splitlines()
YEASTAR = (FIXTURES / "yeastar-cdr.csv").read_text().splitlines()


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_damaged(AVAYA), max_size=20))
def test_avaya_accounts_for_every_line(texts):
    items = list(parse_avaya_smdr([text + "\n" for text in texts], ROME))
    _check(items, texts, 1)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_damaged(PANASONIC), max_size=20))
def test_panasonic_accounts_for_every_line(texts):
    items = list(parse_panasonic_smdr([text + "\r\n" for text in texts], ROME))
    _check(items, texts, 1)
    blank = [t for t in texts if not t.strip() or not t.strip("\f\x00 \t")]
    assert len(items) == len(texts) - len(blank)


def _headered(parse, sample):
    header, rows = sample[0], sample[1:]

    @settings(max_examples=100, deadline=None)
    @given(texts=st.lists(_damaged([row.replace('"', "") for row in rows]), max_size=15))
    def run(texts):
        items = list(parse([header + "\n", *[text + "\n" for text in texts]]))
        _check(items, texts, 2)

    return run


test_cucm_accounts_for_every_line = _headered(parse_cisco_cucm, CUCM)
test_grandstream_accounts_for_every_line = _headered(
    lambda lines: parse_grandstream_ucm(lines, ROME), UCM
)
test_yeastar_accounts_for_every_line = _headered(lambda lines: parse_yeastar(lines, ROME), YEASTAR)
