"""The calls app's models, one module per concern; imported from here (``from calls.models
import Call``) as Django and the rest of the code expect."""

from calls.models.assignments import CallAssignment, ClosedPeriod, PeriodAction, PeriodEvent
from calls.models.calls import CALL_Q, CODED_Q, Call, CallDirection, CallHourTotal, CallStatus
from calls.models.dialplan import Trunk, TrunkIdentifier, TrunkKind, prefix_validator
from calls.models.imports import CdrLayout, ImportRun, RejectedLine, WatchedFile
from calls.models.preferences import ReminderPreference, ReminderSent, SavedCallLogFilter

__all__ = [
    "CALL_Q",
    "CODED_Q",
    "Call",
    "CallAssignment",
    "CallDirection",
    "CallHourTotal",
    "CallStatus",
    "CdrLayout",
    "ClosedPeriod",
    "ImportRun",
    "PeriodAction",
    "PeriodEvent",
    "RejectedLine",
    "ReminderPreference",
    "ReminderSent",
    "SavedCallLogFilter",
    "Trunk",
    "TrunkIdentifier",
    "TrunkKind",
    "WatchedFile",
    "prefix_validator",
]
