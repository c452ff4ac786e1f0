"""The nightly work queued for the task worker (deploy/daily.sh): ``send_reminders
--background`` and ``client_statements --background`` record a job and the worker does it;
without --background they still work at once (their own tests)."""

from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from firm.models import Job
from tests.conftest import ROME
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


def test_the_nightly_pack_is_queued_then_written_into_the_folder(tmp_path, run_jobs):
    client = make_client(code="123", name="Affaroni S.p.A.", hourly_rate=Decimal("100"))
    make_call(client=client, billing_code="123", start=datetime(2026, 5, 4, 9, tzinfo=ROME))
    out = StringIO()
    call_command(
        "client_statements",
        "--month",
        "2026-05",
        "--output",
        str(tmp_path),
        "--background",
        stdout=out,
    )
    job = Job.objects.get()
    assert f"month pack queued for the task worker (job {job.pk})" in out.getvalue()
    assert job.kind == "nightly_pack" and job.requested_by is None
    assert not (tmp_path / "rendiconti-2026-05.pdf").exists()  # not written by the command
    call_command(
        "client_statements",
        "--month",
        "2026-05",
        "--output",
        str(tmp_path),
        "--background",
        stdout=out,
    )
    assert Job.objects.count() == 1 and "already queued" in out.getvalue()
    run_jobs()
    job.refresh_from_db()
    assert job.status == "done"
    assert (tmp_path / "rendiconti-2026-05.pdf").read_bytes().startswith(b"%PDF")


def test_background_goes_with_output_only(tmp_path):
    with pytest.raises(CommandError, match="--background goes with --output only"):
        call_command("client_statements", "--month", "2026-05", "--send", "--background")


def test_the_reminder_is_queued_then_sent_by_the_worker(smtp_server, run_jobs):
    out = StringIO()
    call_command("send_reminders", "--day", "2026-05-12", "--background", stdout=out)
    job = Job.objects.get()
    assert job.kind == "reminders" and job.params == {"day": "2026-05-12"}
    assert f"reminders queued for the task worker (job {job.pk})" in out.getvalue()
    run_jobs()
    job.refresh_from_db()
    assert job.status == "done"
    assert job.report[0]["text"].startswith("2026-05-12: 0 calls without a client")
