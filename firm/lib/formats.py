"""How durations and months are written on pages, exports and printed reports."""

from decimal import Decimal

from django.utils.formats import date_format, number_format


def format_duration(seconds: int | None) -> str:
    """``H:MM:SS``: 0:01:05 for 65 seconds, 27:46:40 for 100,000."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def format_duration_words(seconds: int | None) -> str:
    """A duration in a sentence, with unit symbols read the same in Italian and English:
    ``6 h 12 min`` for 22,320 seconds, ``45 min``, ``2 h``, ``1 min 5 s``, ``0 min``. Zero parts
    are left out; seconds only when there are some."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes or not (hours or seconds):
        parts.append(f"{minutes} min")
    if seconds:
        parts.append(f"{seconds} s")
    return " ".join(parts)


def month_name(month) -> str:
    """'maggio 2026' / 'May 2026'."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def format_euro(value: Decimal) -> str:
    """An amount in euro as the active language writes it: ``€ 1.234,50`` in Italian."""
    return "€ " + number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def cost_places(value: Decimal) -> int:
    """How many decimals a call's cost is written with: 2, or up to 4 when it has them
    (0,10 · 0,125 · 0,1234)."""
    places = max(2, -value.normalize().as_tuple().exponent) if value else 2
    return min(places, 4)


def format_cost(value: Decimal) -> str:
    """A call's cost from the PBX, as the call log shows it (2 to 4 decimals)."""
    return number_format(value, decimal_pos=cost_places(value))
