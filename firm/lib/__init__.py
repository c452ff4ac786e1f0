"""Firm-wide helpers that import no app (dates, formats, pagination, spreadsheets)."""
