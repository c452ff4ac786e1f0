"""What the calls table accepts: one table of limits, read by the models for their columns
and by the CDR parsers and the matcher, which turn a value outside them into a rejected line
naming the field, before the database ever sees it. Pure Python (no Django)."""

from datetime import timedelta
from decimal import Decimal

from firm.limits import CODE_MAX_LENGTH

# A rejected line keeps this many characters of the line as it was read, with the whole line's
# length and SHA-256: a 60 MB "line" must not become a 60 MB row and a 60 MB admin page.
REJECTED_RAW_KEPT_CHARS = 4096

# Text columns of calls.Call (max_length).
PBX_CALL_ID_MAX = 100
CALLER_MAX = 64
CALLER_NAME_MAX = 200  # longer display names are cut, not rejected
DESTINATION_MAX = 80
DIALLED_MAX = 64
BILLING_CODE_MAX = CODE_MAX_LENGTH
PBX_TRUNK_MAX = 100

# A call starts within these years: a PBX whose clock was never set writes 1970 or 2000-01-01
# at best, year 1 or 9999 at worst, and such a time cannot even be shown in the firm's zone.
CALL_YEAR_MIN = 2001
CALL_YEAR_MAX = 2099

# Talk time, ringing time and a call's whole length. The columns would take 68 years; a call
# of more than a week is a stuck channel or a broken record, and billing it would be wrong.
CALL_SECONDS_MAX = int(timedelta(days=7).total_seconds())

# calls.Call.cost: DecimalField(max_digits=10, decimal_places=4).
COST_MAX_DIGITS = 10
COST_DECIMAL_PLACES = 4
COST_LIMIT = Decimal(10) ** (COST_MAX_DIGITS - COST_DECIMAL_PLACES)  # |cost| < 1,000,000
COST_QUANTUM = Decimal(1).scaleb(-COST_DECIMAL_PLACES)  # costs are rounded to 0.0001
