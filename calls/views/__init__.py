"""The calls app's screens, one module per page family: the home page with the partner
dashboard (dashboard), the call log and its PDF (log), the unassigned calls queue, a call's page
and the period lock (queue), and a user's preferences (preferences). Re-exported here for
calls.urls."""

from calls.views.dashboard import home
from calls.views.log import (
    LAST_FILTER_SESSION_KEY,
    PDF_COLUMNS,
    CallLogPaginator,
    CallLogPdfView,
    CallLogView,
)
from calls.views.preferences import ReminderPreferenceView
from calls.views.queue import CallDetailView, PeriodsView, UnassignedCallsView

__all__ = [
    "LAST_FILTER_SESSION_KEY",
    "PDF_COLUMNS",
    "CallDetailView",
    "CallLogPaginator",
    "CallLogPdfView",
    "CallLogView",
    "PeriodsView",
    "ReminderPreferenceView",
    "UnassignedCallsView",
    "home",
]
