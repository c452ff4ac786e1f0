"""Destination patterns (``calls.patterns``) as Django queries on ``Call``.

``destination_q`` returns a ``Q`` that selects exactly the calls whose destination
``calls.patterns.matches`` accepts, on SQLite and PostgreSQL alike.

Decisions
---------
1. One ``Like`` expression, not ``startswith``/``contains``/``endswith`` on the pieces (those
   cannot say that the pieces follow each other without overlapping: ``a`` starts and ends
   with ``a`` but does not match ``a%a``; ``abc`` contains ``b`` and ends with ``bc`` but does
   not match ``%b%bc``).
   The pieces are escaped, so only the pattern's ``%`` is a wildcard, and joined with the
   database's own wildcard. A ``LIKE`` can later use a PostgreSQL trigram index.
2. Case-sensitive on both databases (``calls.patterns`` rule 2). PostgreSQL's ``LIKE`` is
   case-sensitive; SQLite's is not (for ASCII letters), so on SQLite the same pattern is written
   as a ``GLOB``, which is case-sensitive: ``*`` is its wildcard and ``*``, ``?``, ``[`` are
   written ``[*]``, ``[?]``, ``[[]``. On PostgreSQL ``\\``, ``%`` and ``_`` are escaped with
   ``\\`` (``ESCAPE '\\'``). Both compare characters, not bytes.
3. Billing code. When ``calls.patterns.billing_code_lookup`` gives a lookup, the calls with a
   code are selected through the indexed ``billing_code`` column, and the calls without a code
   by the ``Like`` (the importer keeps malformed suffixes such as ``345**12a`` as recorded, and
   those match ``%**%`` by scanning): ``code condition OR (billing_code = '' AND LIKE)``. A code
   prefix is a range (``'1' <= billing_code < '2'``) so that the index serves it. The result
   equals the scan for every call imported under ``marker`` (see ``billing_code_lookup`` for
   the proof, and for the calls it does not cover: imported under another marker, or not
   written by the importer).
   The uncoded branch also says ``UncodedMarked``: no code and the destination holds a ``*``
   or a ``#``, which every marker does (``calls.dialing`` requires one), so the result is the
   same. An index finds those calls (malformed suffixes, codes dialled under an old marker: a
   handful), so the branch no longer reads the 800,000 uncoded calls of two years:
   on PostgreSQL a partial index (migration 0012), on SQLite an index on the expression
   (migration 0014). The SQL must stay exactly the index's for the planners to see it.
4. The "not" flag is ``~`` of the whole query. Destination and billing code are never NULL, so
   "not" returns exactly the other calls.
"""

from __future__ import annotations

from django.db.models import F, Lookup, Q, Value

from calls.models import CALL_Q, CODED_Q
from calls.patterns import PatternError, Pieces, billing_code_lookup, pieces, validate_pattern

__all__ = ["ANY_CODE", "Like", "PatternError", "destination_branches", "destination_q"]


def _like_pattern(parts: Pieces) -> str:
    """PostgreSQL (and standard SQL) ``LIKE`` text for the pieces, escape character ``\\``."""
    escaped = (part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for part in parts)
    return "%".join(escaped)


def _glob_pattern(parts: Pieces) -> str:
    """SQLite ``GLOB`` text for the pieces (``GLOB`` has no escape character: ``[x]``)."""
    escaped = (part.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]") for part in parts)
    return "*".join(escaped)


class Like(Lookup):
    """``lhs`` matches the pattern ``rhs`` (a pattern string or pieces), case-sensitively.

    Used as an expression: ``Q(Like(F('destination'), Value(pieces)))``; ``rhs`` holds the
    pieces, escaped for the database when the SQL is written."""

    lookup_name = "pattern_like"
    prepare_rhs = False

    def _sql(self, compiler, connection, operator: str, text: str):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} {operator}", (*lhs_params, text)

    def _parts(self) -> Pieces:
        value = self.rhs.value if isinstance(self.rhs, Value) else self.rhs
        return pieces(value)

    def as_sql(self, compiler, connection):
        return self._sql(compiler, connection, "LIKE %s ESCAPE '\\'", _like_pattern(self._parts()))

    def as_sqlite(self, compiler, connection):
        return self._sql(compiler, connection, "GLOB %s", _glob_pattern(self._parts()))


class UncodedMarked(Lookup):
    """The call has no billing code (``lhs``, the billing code) and its destination (``rhs``)
    holds a ``*`` or a ``#`` (see decision 3). Written as constants, not parameters, and
    exactly as the index on these calls reads: on PostgreSQL the condition of the partial
    index ``call_uncoded_marked_idx`` (migration 0012), on SQLite the expression its
    ``call_uncoded_marked_idx`` is built on (migration 0014; SQLite's planner uses an index on
    an expression, not a partial one, for this)."""

    lookup_name = "uncoded_marked"
    prepare_rhs = False

    def _sides(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        code, destination, params = self._sides(compiler, connection)
        # '%%' is a literal '%' once the parameters are put in.
        sql = f"({code} = '' AND ({destination} LIKE '%%*%%' OR {destination} LIKE '%%#%%'))"
        return sql, params

    def as_sqlite(self, compiler, connection):
        code, destination, params = self._sides(compiler, connection)
        return f"({code} = '' AND {destination} GLOB '*[*#]*') = 1", params


# The uncoded calls a billing-code pattern may still match: what call_uncoded_marked_idx
# finds on either database.
UNCODED_MARKED = Q(UncodedMarked(F("billing_code"), F("destination")))


# The calls with a billing code: every code the importer stores is 1-10 ASCII digits
# (calls.matching), so this is billing_code <> ''. Written as a range with both ends because
# SQLite's planner, which keeps no statistics, then reads the billing-code index alone instead
# of walking a range of start times (it guesses a one-ended range keeps a quarter of the
# rows). On PostgreSQL the same index serves it.
ANY_CODE = CODED_Q


def _code_prefix_q(digits: str) -> Q:
    """Codes starting with ``digits``, as a range an index can serve (``startswith`` is a
    ``LIKE`` that neither SQLite's nor PostgreSQL's plain B-tree index serves): from ``digits``
    to the next digit string, ``19`` -> ``2``; no upper end for ``9``, ``99``. Exact for codes of
    digits (the importer stores nothing else) in any collation that sorts digit strings digit
    by digit (SQLite's, PostgreSQL's C and locale collations)."""
    stem = digits.rstrip("9")
    if not stem:
        return Q(billing_code__gte=digits)
    upper = stem[:-1] + str(int(stem[-1]) + 1)
    return Q(billing_code__gte=digits, billing_code__lt=upper)


def destination_q(pattern: str | Pieces, *, marker: str, negate: bool = False) -> Q:
    """The calls whose destination matches ``pattern`` (or does not, with ``negate``).

    ``pattern`` is a pattern string (validated here; ``PatternError`` when unusable) or the
    pieces ``calls.patterns.pattern_for`` returns. ``marker`` is the firm's billing marker."""
    parts = pieces(validate_pattern(pattern) if isinstance(pattern, str) else pattern)
    branches = destination_branches(parts, marker=marker)
    query = (
        Q(Like(F("destination"), Value(parts))) if branches is None else branches[0] | branches[1]
    )
    return ~query if negate else query


def destination_branches(pattern: str | Pieces, *, marker: str) -> tuple[Q, Q] | None:
    """For a billing-code pattern, ``destination_q`` as its two disjoint halves (decision 3):
    the calls with a matching code, and the uncoded calls the ``Like`` matches; None for any
    other pattern. Totals add the halves up separately (``CallLogFilter.total_parts``), so the
    coded half is read from the billing-code index alone, without the destinations."""
    parts = pieces(validate_pattern(pattern) if isinstance(pattern, str) else pattern)
    lookup = billing_code_lookup(parts, marker)
    if lookup is None:
        return None
    kind, digits = lookup
    # ANY_CODE and CALL_Q (which the manager adds anyway): the partial code indexes'
    # condition (calls.models.CODED_CALL_Q), repeated inside this half, so that SQLite can
    # read the half through them when it is one side of an OR (with the uncoded half).
    if kind == "any":
        coded = ANY_CODE & CALL_Q
    elif kind == "exact":
        coded = Q(billing_code=digits) & ANY_CODE & CALL_Q
    else:
        coded = _code_prefix_q(digits) & ANY_CODE & CALL_Q
    # Every valid marker holds a '*' or '#'; the check keeps the result exact if not.
    uncoded = UNCODED_MARKED if "*" in marker or "#" in marker else Q(billing_code="")
    return coded, uncoded & Q(Like(F("destination"), Value(parts)))
