"""Logging filters (settings.LOGGING)."""

import logging


class ForbiddenOneLine(logging.Filter):
    """A 403 (a user without the role, a page refused) is logged by Django with the
    PermissionDenied's traceback: a dozen lines for an expected event that a probe repeats
    thousands of times. Keep the one line that says which path was refused."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
