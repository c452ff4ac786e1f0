"""Firm-wide helpers that import no app: dates and periods, formats, the billing marker,
pagination, spreadsheets and downloads."""
