"""Synthetic 3CX call detail records, for benchmarks and tests.

``threecx_lines`` writes lines in 3CX's default 27-field order (``THREECX_LAYOUTS['default-27']``)
that look like the real v16/v20 samples: 'Call N' history ids, callids such as
'00000171DEE41BB3_2501' (the start time in milliseconds as 16 hex digits, '_', a counter),
'YYYY/MM/DD HH:MM:SS' UTC times moving forward, 'HH:MM:SS' talk times (empty when the call was
not answered), extensions written 'Ext.114', the v16 type words Internal/External, 3CX's
termination words, sometimes a cost, and the chain field as the active socket writes it
('Chain: Ext.114;0232354095;') or, now and then, as an Excel export writes it (quoted, with
commas: '"Chain: Ext.114,0232354095,"').

The mix of calls:

- outbound calls from an extension to a national number through one of the trunk DNs
  (``to-dn``); ``dial-no`` is the number. A share ``coded_share`` of *all* lines are outbound
  calls dialled with a client billing code: ``dial-no`` is number + marker + code and
  ``bill-code`` is the code, as 3CX writes it;
- inbound calls from a national number through a trunk DN (``from-dn``) to an extension, often
  passed on to another one ('ReplacedDst');
- internal calls between two extensions;
- in every kind some calls are not answered: Failed_Cancelled, RouteBusy, Failed,
  NotAvailable, NoRouteExists (no talk time, no answer time).

The same arguments give the same lines. Lines are produced one at a time (an iterator), so
any count can be written without holding them in memory.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache

_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()

_FIRST_NAMES = (
    "Mario",
    "Giulia",
    "Luca",
    "Francesca",
    "Marco",
    "Chiara",
    "Andrea",
    "Sara",
    "Paolo",
    "Elena",
    "Davide",
    "Anna",
)
_LAST_NAMES = (
    "Rossi",
    "Bianchi",
    "Ferrari",
    "Esposito",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
)
_ANSWERED_REASONS = ("TerminatedBySrc", "TerminatedBySrc", "TerminatedByDst")
# v16 words for calls that were not answered, the commonest first (as in the v16 sample).
_UNANSWERED_REASONS = (
    "Failed_Cancelled",
    "Failed_Cancelled",
    "Failed_Cancelled",
    "Failed_Cancelled",
    "Failed",
    "RouteBusy",
    "NotAvailable",
    "NoRouteExists",
)
# Outside numbers a firm calls and is called from, drawn once per call of threecx_lines (a
# power of two: a number is picked with a bit mask).
_NUMBER_POOL = 4096
_OUTBOUND_SHARE = 0.35  # of the lines without a billing code
_INBOUND_SHARE = 0.40  # of the lines without a billing code (the rest are internal)
_UNANSWERED_SHARE = 0.15
_QUOTED_CHAIN_SHARE = 0.02
_COST_SHARE = 0.5  # of the answered outbound calls
_MEAN_GAP_SECONDS = 30  # between the starts of two consecutive calls


@cache
def _clock() -> tuple[str, ...]:
    """'HH:MM:SS' for every second of a day (86,400 strings, about 5 MB, built on first use)."""
    minutes = [f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)]
    seconds = [f"{second:02d}" for second in range(60)]
    return tuple(minute + second for minute in minutes for second in seconds)


def threecx_lines(
    count: int,
    *,
    seed: int = 0,
    start: datetime,
    client_codes: Sequence[str],
    trunk_dns: Sequence[str] = ("10000", "10001"),
    extensions: Sequence[str] = tuple(str(e) for e in range(101, 131)),
    coded_share: float = 0.2,
    marker: str = "**",
    first_history_id: int = 1,
) -> Iterator[str]:
    """Yield ``count`` synthetic 3CX lines in the default 27-field order, each ending with '\\n'.

    ``start`` is the time of the first call (a naive datetime is read as UTC; an aware one is
    converted to UTC; microseconds are dropped); calls follow every 0 to 59 seconds. History ids
    are 'Call N' from ``first_history_id`` on. Each line has the probability ``coded_share`` of
    being an outbound call dialled with a code drawn from ``client_codes`` (all ASCII digits),
    written ``number + marker + code`` in dial-no and ``code`` in bill-code. Deterministic for
    given arguments. Raises ValueError at once when an argument is unusable.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if not 0.0 <= coded_share <= 1.0:
        raise ValueError("coded_share must be between 0 and 1")
    codes = tuple(client_codes)
    if coded_share > 0 and not codes:
        raise ValueError("client_codes is empty but coded_share is not 0")
    for code in codes:
        if not (code.isascii() and code.isdigit()):
            raise ValueError(f"client code {code!r} is not all digits (3CX bill codes are)")
    trunks = tuple(trunk_dns)
    exts = tuple(extensions)
    if not trunks or not exts:
        raise ValueError("trunk_dns and extensions must not be empty")
    if len(exts) < 2:
        raise ValueError("at least two extensions are needed for internal calls")
    for value in (*trunks, *exts, marker):
        if not value or any(char in value for char in ',"\r\n'):
            raise ValueError(f"{value!r} cannot be written in a 3CX line")
    if start.tzinfo is not None:
        start = start.astimezone(UTC)
    first_second = (start.toordinal() - _EPOCH_ORDINAL) * 86400 + (
        start.hour * 3600 + start.minute * 60 + start.second
    )
    return _generate(
        count, seed, first_second, codes, trunks, exts, coded_share, marker, first_history_id
    )


def _generate(
    count: int,
    seed: int,
    now: int,
    codes: tuple[str, ...],
    trunks: tuple[str, ...],
    exts: tuple[str, ...],
    coded_share: float,
    marker: str,
    history_id: int,
) -> Iterator[str]:
    rnd = random.Random(seed)
    r = rnd.random
    log = math.log
    numbers = tuple(f"0{rnd.randrange(200_000_000, 1_000_000_000)}" for _ in range(_NUMBER_POOL))
    names = tuple(f"{rnd.choice(_FIRST_NAMES)} {rnd.choice(_LAST_NAMES)}" for _ in exts)
    ext_nos = tuple(f"Ext.{ext}" for ext in exts)
    getrandbits = rnd.getrandbits
    number_mask = _NUMBER_POOL - 1
    quoted_chains = int(_QUOTED_CHAIN_SHARE * 1024)
    n_exts, n_trunks, n_codes = len(exts), len(trunks), len(codes)
    answered_reasons, unanswered_reasons = _ANSWERED_REASONS, _UNANSWERED_REASONS
    n_answered, n_unanswered = len(answered_reasons), len(unanswered_reasons)
    unanswered_share = _UNANSWERED_SHARE
    clock = _clock()
    gap_span = 2 * _MEAN_GAP_SECONDS
    # a draw below coded_share is a coded outbound call; the rest of [0, 1) is shared out
    outbound_cut = coded_share + (1.0 - coded_share) * _OUTBOUND_SHARE
    inbound_cut = coded_share + (1.0 - coded_share) * (_OUTBOUND_SHARE + _INBOUND_SHARE)
    cost_share = _COST_SHARE
    cost_texts: dict[int, str] = {}  # '1,<cost>,default' by talk seconds
    sequence = 2500 + int(r() * 1000)
    day_start = day_end = 0
    prefix = ""

    def stamp(second: int) -> str:  # a time on another day than the call's start (rare)
        day, of_day = divmod(second, 86400)
        date = datetime.fromordinal(_EPOCH_ORDINAL + day).strftime("%Y/%m/%d ")
        return date + clock[of_day]

    for _ in range(count):
        if now >= day_end:
            day = now // 86400
            day_start, day_end = day * 86400, day * 86400 + 86400
            prefix = datetime.fromordinal(_EPOCH_ORDINAL + day).strftime("%Y/%m/%d ")
        start_clock = clock[now - day_start]
        sequence += 1
        # 'Call N,callid,': the callid is the start in milliseconds (16 hex digits) and a
        # counter (printf style: faster than an f-string here)
        head = "Call %d,%016X_%d," % (  # noqa: UP031
            history_id,
            now * 1000 + sequence * 379 % 1000,
            sequence,
        )
        # one draw decides whether the call was answered and how it ended
        outcome = r()
        ring = 1 + int(outcome * 9973) % 20
        if outcome >= unanswered_share:
            talk = int(-log(1.0 - r()) * 150) + 1
            if talk > 14400:
                talk = 14400
            duration = clock[talk]
            reason = answered_reasons[int((outcome - unanswered_share) * 1000) % n_answered]
            answered_at = now + ring
            end = answered_at + talk
            of_day = answered_at - day_start
            if of_day < 86400:
                time_answered = prefix + clock[of_day]
            else:
                time_answered = stamp(answered_at)
        else:
            talk = 0
            duration = time_answered = ""
            reason = unanswered_reasons[int(outcome * 10007) % n_unanswered]
            end = now + ring + int(outcome * 7919) % 25
        of_day = end - day_start
        if of_day < 86400:
            time_end = prefix + clock[of_day]
        else:
            time_end = stamp(end)
        # one 64-bit draw for the small choices: bits 0-15 the extension, 16-25 the chain's
        # writing, 26-37 the outside number, 38-45 the trunk, 46-63 the code or the other
        # extension and whether an inbound call was passed on or missed
        bits = getrandbits(64)
        position = (bits & 0xFFFF) % n_exts
        ext, ext_no, name = exts[position], ext_nos[position], names[position]
        if (bits >> 16 & 0x3FF) < quoted_chains:
            joiner, chain_open, chain_close = ",", '"Chain: ', ',"'
        else:
            joiner, chain_open, chain_close = ";", "Chain: ", ";"
        pick = r()
        if pick < outbound_cut:
            # outbound, with a client code when the draw fell in the coded share
            number = numbers[bits >> 26 & number_mask]
            trunk = trunks[(bits >> 38 & 0xFF) % n_trunks]
            if pick < coded_share:
                code = codes[(bits >> 46) % n_codes]
                dial = number + marker + code
            else:
                code = ""
                dial = number
            if talk and pick * 7 % 1 < cost_share:
                billing = cost_texts.get(talk) or cost_texts.setdefault(
                    talk, f"1,{talk / 60:.2f},default"
                )
            else:
                billing = ",,"
            yield (
                f"{head}{duration},{prefix}{start_clock},{time_answered},{time_end},{reason},"
                f"{ext_no},{number},{ext},{trunk},{dial},,,,{code},{billing},"
                f"{chain_open}{ext_no}{joiner}{number}{chain_close},"
                f"Internal,External,External,{name},{number},{number},\n"
            )
        elif pick < inbound_cut:  # inbound through a trunk
            number = numbers[bits >> 26 & number_mask]
            trunk = trunks[(bits >> 38 & 0xFF) % n_trunks]
            missed = ext if not talk and (bits >> 46 & 0xF) < 3 else ""
            if bits >> 50 & 1:  # passed on to another extension
                other = (bits >> 51) % n_exts
                final_no = ext_nos[other]
                yield (
                    f"{head}{duration},{prefix}{start_clock},{time_answered},{time_end},"
                    f"{reason},{number},{ext_no},{trunk},{ext},{ext},ReplacedDst,"
                    f"{final_no},{exts[other]},,,,,"
                    f"{chain_open}{number}{joiner}{ext_no}{joiner}{final_no}{chain_close},"
                    f"External,Internal,Internal,{number},{name},{names[other]},{missed}\n"
                )
            else:
                yield (
                    f"{head}{duration},{prefix}{start_clock},{time_answered},{time_end},"
                    f"{reason},{number},{ext_no},{trunk},{ext},{ext},,,,,,,,"
                    f"{chain_open}{number}{joiner}{ext_no}{chain_close},"
                    f"External,Internal,Internal,{number},{name},{name},{missed}\n"
                )
        else:  # internal
            other = (bits >> 46) % n_exts
            if other == position:
                other = (other + 1) % n_exts
            to_no, to_dn, to_name = ext_nos[other], exts[other], names[other]
            yield (
                f"{head}{duration},{prefix}{start_clock},{time_answered},{time_end},{reason},"
                f"{ext_no},{to_no},{ext},{to_dn},{to_dn},,,,,,,,"
                f"{chain_open}{ext_no}{joiner}{to_no}{chain_close},"
                f"Internal,Internal,Internal,{name},{to_name},{to_name},\n"
            )
        history_id += 1
        now += int(r() * gap_span)
