"""The call log's long work as tasks, run by ``manage.py db_worker`` (firm/jobs.py): the
call-log PDF of more than ``PDF_SYNC_MAX_ROWS`` calls, and the daily reminder of calls without
a client. ``call_log_pdf`` builds the PDF for the view (up to the threshold, at once) and for
the task alike."""

from datetime import date

from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_tasks import task

from calls.filters import CallLogFilter
from calls.models import Call
from calls.reminders import reminders_send
from calls.selectors import call_log_totals
from calls.tables import PRINT_COLUMNS, CallTable, call_print_rows
from firm.jobs import job_run
from firm.lib.dates import firm_time_zone
from firm.lib.pdf import render_pdf_in_chunks
from firm.models import FirmSettings


def call_log_filterset(query: QueryDict) -> CallLogFilter:
    return CallLogFilter(
        query, queryset=Call.objects.select_related("client", "matter", "trunk"), request=None
    )


def call_log_pdf(filterset: CallLogFilter, *, sort: str | None, totals: dict, progress=None):
    """The PDF of exactly the filtered set of a valid ``filterset``, sorted by tables2's
    ``sort`` as on the page; ``progress(rows, total)`` as its chunks are ready."""
    # Sorting through tables2's ?sort=, exactly as on the page.
    table = CallTable(filterset.qs, order_by=sort)
    columns = [
        {"label": table.columns[column.name].header, "width": column.width, "num": column.num}
        for column in PRINT_COLUMNS
    ]
    return render_pdf_in_chunks(
        "pdf/call_log.html",
        {
            "firm_name": FirmSettings.load().firm_name,
            "description": filterset.describe(),
            "totals": totals,
            "columns": columns,
            "printed_at": timezone.localtime(timezone.now(), firm_time_zone()),
        },
        call_print_rows(table.data.data, PRINT_COLUMNS),
        page_numbers_template="pdf/_page_numbers.html",
        progress=progress,
    )


def call_log_file_name(filterset) -> str:
    """The call log's file name without extension, for every format:
    ``registro-chiamate-2026-11-01_2026-11-30``."""
    days = filterset.day_range() if filterset.is_valid() else None
    if days and days.first and days.last:
        return f"registro-chiamate-{days.first:%Y-%m-%d}_{days.last:%Y-%m-%d}"
    return "registro-chiamate"


@task(takes_context=True)
def call_log_pdf_task(context, job_id: int) -> None:
    """The call-log PDF of the job's query string (``params["query"]``), kept in the job's
    folder; progress in calls printed."""
    with job_run(context, job_id) as run:
        if run is None:
            return
        with translation.override(run.params["language"]):
            query = QueryDict(run.params["query"])
            filterset = call_log_filterset(query)
            if not filterset.is_valid():
                raise ValueError(gettext("The filter is not valid any more."))
            totals = call_log_totals(filterset=filterset)
            run.progress(0, totals["calls"], "calls")
            pdf = call_log_pdf(
                filterset,
                sort=query.get("sort"),
                totals=totals,
                progress=lambda rows, total: run.progress(rows, total, "calls"),
            )
            with run.output(f"{call_log_file_name(filterset)}.pdf", "application/pdf") as out:
                out.write(pdf)
            run.report(
                "success",
                ngettext("%(calls)s call printed.", "%(calls)s calls printed.", totals["calls"])
                % {"calls": totals["calls"]},
            )


@task(takes_context=True)
def send_reminders_task(context, job_id: int) -> None:
    """The daily reminder of ``params["day"]`` (``send_reminders --background``)."""
    with job_run(context, job_id) as run:
        if run is None:
            return
        day = date.fromisoformat(run.params["day"])
        report = reminders_send(day=day)
        run.progress(len(report.sent) + len(report.already), len(report.sent) + len(report.already))
        run.report(
            "success",
            f"{day}: {report.calls} calls without a client; "
            f"sent {len(report.sent)}, already sent {len(report.already)}.",
        )
        for user, reason in report.failed:
            run.report("error", f"{day}: not sent to {user.username} <{user.email}>: {reason}")
        if report.failed:
            raise RuntimeError(f"{len(report.failed)} reminders not sent; run again to retry.")
