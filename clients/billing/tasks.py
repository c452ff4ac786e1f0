"""The statements' long work as tasks, run by ``manage.py db_worker`` (firm/jobs.py): the
month-end pack (asked for on the client statements page, or by the nightly job into a
folder) and *Emetti e invia* (issue the month and e-mail the statements). Each task gets the
id of its ``Job`` and reports progress on it; the commands run the same code themselves."""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django_tasks import task

from clients.billing.issuing import FAILED, NO_ADDRESS, SENT, statements_issue_and_send
from clients.billing.printing import month_pack_pdf, month_pack_zip, pack_file_name
from firm.jobs import job_run
from firm.lib.formats import month_name

PDF = "application/pdf"
ZIP = "application/zip"


def pack_params(*, first_day: date, last_day: date, as_zip: bool, language: str) -> dict:
    return {
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "zip": as_zip,
        "language": language,
    }


@task(takes_context=True)
def month_pack(context, job_id: int) -> None:
    """The month-end pack of the job's period as one PDF or a ZIP (``params["zip"]``), kept
    in the job's folder (or written into ``params["output"]``: the nightly pack)."""
    with job_run(context, job_id) as run:
        if run is None:
            return
        params = run.params
        first_day = date.fromisoformat(params["first_day"])
        last_day = date.fromisoformat(params["last_day"])
        as_zip = params["zip"]
        output = Path(params["output"]) if params.get("output") else None
        with translation.override(params["language"]):
            name = pack_file_name(first_day, last_day, "zip" if as_zip else "pdf")
            write = month_pack_zip if as_zip else month_pack_pdf
            run.progress(0, 0)
            with run.output(name, ZIP if as_zip else PDF, folder=output) as target:
                result = write(
                    first_day,
                    last_day,
                    target,
                    progress=lambda done, total: run.progress(done, total, "clients"),
                )
            run.report(
                "success",
                gettext("%(clients)s clients, %(calls)s calls, %(pages)s pages.")
                % {"clients": result.clients, "calls": result.calls, "pages": result.pages},
            )
            if output is not None:
                run.report("success", str(output / name))


def issue_params(
    *, month: date, language: str, clients: list[int] | None = None, send: bool = True
) -> dict:
    """A job's parameters: the month, the language of its report, the clients ticked on the
    review page (None: every client) and whether to e-mail (False: *Emetti*, issue only)."""
    return {"month": f"{month:%Y-%m}", "language": language, "clients": clients, "send": send}


@task(takes_context=True)
def issue_statements(context, job_id: int) -> None:
    """*Emetti e invia*: issue the job's month in the name of who asked, then e-mail every
    unsent statement; the page lists what was issued, sent and not sent."""
    with job_run(context, job_id) as run:
        if run is None:
            return
        params = run.params
        month = date.fromisoformat(f"{params['month']}-01")
        user = get_user_model().objects.get(pk=run.job.requested_by_id)
        with translation.override(params["language"]):
            send = params.get("send", True)
            result = statements_issue_and_send(
                month=month,
                user=user,
                clients=params.get("clients"),
                send=send,
                progress=run.progress,
            )
            _report_issue(run, month, result, send=send)


def _report_issue(run, month: date, result, *, send: bool = True) -> None:
    if send:
        text = gettext("%(month)s: %(issued)s statements issued, %(sent)s sent.")
    else:
        text = gettext("%(month)s: %(issued)s statements issued, none sent.")
    run.report(
        "success",
        text
        % {
            # The month opens the sentence: "Maggio 2026: …".
            "month": capfirst(month_name(month)),
            "issued": len(result.issue.issued),
            "sent": result.count(SENT),
        },
    )
    for outcome in result.outcomes:
        if outcome.status == NO_ADDRESS:
            run.report(
                "warning",
                gettext("%(number)s, %(client)s: no billing e-mail, not sent.")
                % {"number": outcome.statement.number, "client": outcome.statement.client},
            )
        elif outcome.status == FAILED:
            run.report(
                "error",
                gettext(
                    "%(number)s, %(client)s: not sent to %(address)s (%(error)s). "
                    "It is sent when you issue the month again."
                )
                % {
                    "number": outcome.statement.number,
                    "client": outcome.statement.client,
                    "address": outcome.address,
                    "error": outcome.error,
                },
            )
