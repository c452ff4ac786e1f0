"""Properties of the 3CX parser over random mixes of good, corrupted and blank lines."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from calls.cdr import THREECX_LAYOUTS, CdrRecord, CdrRejection, parse_threecx

from .helpers import threecx_line

DEFAULT = THREECX_LAYOUTS["default-27"]
SOCKET = THREECX_LAYOUTS["socket-20"]
RECORD_START = re.compile(r"Call \d+,")

GOOD = threecx_line(end="")
# Damaged records that still start like a 3CX record ('Call N,'), as a PBX or a copy damages them.
DAMAGED = [
    threecx_line(end="", time_start="2020/13/04"),  # impossible date
    threecx_line(end="", duration="5 min"),  # bad duration
    threecx_line(end="", bill_cost="tanto"),  # bad number
    ",".join(threecx_line(SOCKET, end="", chain="x").split(",")[:12]),  # too few fields
    threecx_line(end="") + ",x,y",  # too many fields
    threecx_line(end="").replace('0232354095,",', "0232354095,,"),  # quote never closed
    'Call 6,"never closed',
    "Call 5,",  # cut short
    threecx_line(SOCKET, end=""),  # another layout
]
# Lines that do not even start like a record.
NOISE = ['"', 'x,"y', "garbage without commas", "Chiamata 1,2020/05/04 10:53:43", ";;;"]


def _cut(text: str, fraction: float) -> str:
    """The text cut at a random point after its 'Call N,' start (a record written partly)."""
    start = RECORD_START.match(text)
    keep = start.end() if start else 1
    return text[: max(keep, int(len(text) * fraction))]


damaged = st.one_of(
    st.sampled_from(DAMAGED),
    st.builds(_cut, st.sampled_from([GOOD, *DAMAGED]), st.floats(0, 1)),
)
record_lines = st.one_of(st.just(GOOD), damaged)
blank_lines = st.sampled_from(["", "   ", "\t"])


def _assemble(texts, newline, bom, final_newline):
    lines = [text + newline for text in texts]
    if lines and not final_newline:
        lines[-1] = lines[-1].removesuffix(newline)
    if lines and bom:
        lines[0] = "\ufeff" + lines[0]
    return lines


file_shape = {
    "newline": st.sampled_from(["\n", "\r\n"]),
    "bom": st.booleans(),
    "final_newline": st.booleans(),
}


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(record_lines, blank_lines), max_size=30), **file_shape)
def test_every_non_blank_record_yields_exactly_one_item_at_its_line(
    texts, newline, bom, final_newline
):
    lines = _assemble(texts, newline, bom, final_newline)
    non_blank = [n for n, text in enumerate(texts, start=1) if text.strip()]

    items = list(parse_threecx(lines, DEFAULT))

    assert all(isinstance(item, CdrRecord | CdrRejection) for item in items)
    assert len(items) == len(non_blank)
    assert [item.line_number for item in items] == non_blank
    # GOOD + ',' (a cut of GOOD + ',x,y') is a good record too: one extra empty trailing field
    good = [n for n, text in enumerate(texts, start=1) if text in (GOOD, GOOD + ",")]
    assert [item.line_number for item in items if isinstance(item, CdrRecord)] == good


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.one_of(record_lines, blank_lines, st.sampled_from(NOISE)), max_size=30),
    **file_shape,
)
def test_items_cover_every_non_blank_line_once_in_order_with_its_raw_text(
    texts, newline, bom, final_newline
):
    """Even noise that opens quotes never makes a line vanish or count twice."""
    lines = _assemble(texts, newline, bom, final_newline)

    items = list(parse_threecx(lines, DEFAULT))

    covered = []
    for item in items:
        first = item.line_number
        last = first + item.raw.count("\n")
        expected_raw = "".join(lines[first - 1 : last]).lstrip("\ufeff")
        expected_raw = expected_raw.removesuffix("\n").removesuffix("\r")
        assert item.raw == expected_raw
        covered.extend(range(first, last + 1))
    assert covered == sorted(set(covered))
    non_blank = {n for n, text in enumerate(texts, start=1) if text.strip()}
    assert non_blank <= set(covered)
    assert all(texts[n - 1].strip() for n, _ in ((i.line_number, i) for i in items))
