"""Limits shared by every app. Pure Python, so the pure domain modules may use them too."""

# A client code is what staff dial after the marker: 1 to 10 digits.
CODE_MAX_LENGTH = 10

# The most calls one PDF holds (the call log, a client statement); above it the view refuses
# and points to CSV/XLSX. 10,000 rows print in about 20 s (README, bench/log_reporter_pdf.py).
PDF_MAX_ROWS = 10_000
