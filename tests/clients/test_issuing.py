"""Issuing a month (clients/billing/issuing.py, client_statements --send): numbered statements
frozen with their PDF, the month closed, each e-mailed once to a real SMTP server on
127.0.0.1 (tests/conftest.py, smtp_server)."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from calls.models import ClosedPeriod
from calls.services import period_reopen
from clients.billing.issuing import (
    FAILED,
    NO_ADDRESS,
    SENT,
    statements_issue,
    statements_issue_and_send,
    statements_send,
)
from clients.models import BillingPolicy, IssuedStatement
from firm.models import FirmSettings
from tests.conftest import ROME
from tests.factories import make_call, make_client, make_matter

pytestmark = pytest.mark.django_db

MAY = datetime(2026, 5, 1).date()


@pytest.fixture
def may(paolo):
    """May 2026: Alfa (rate, address), Beta (no rate, address), Gamma (rate, no address),
    Delta (only an unanswered call: nothing billable), Epsilon (calls in June only)."""
    firm = FirmSettings.load()
    firm.firm_name = "Studio Legale Rossi"
    firm.save()
    alfa = make_client(
        code="101", name="Alfa S.r.l.", hourly_rate=Decimal("100"), billing_email="conti@alfa.test"
    )
    beta = make_client(code="202", name="Beta Caffè S.n.c.", billing_email="beta@beta.test")
    gamma = make_client(code="303", name="Gamma Studi", hourly_rate=Decimal("60"))
    delta = make_client(code="404", name="Delta", billing_email="delta@delta.test")
    epsilon = make_client(code="505", name="Epsilon", billing_email="e@epsilon.test")
    for day, talk in [(4, 600), (5, 1300)]:
        make_call(
            client=alfa,
            billing_code="101",
            talk_seconds=talk,
            start=datetime(2026, 5, day, 10, 0, tzinfo=ROME),
        )
    make_call(
        client=beta,
        billing_code="202",
        talk_seconds=200,
        start=datetime(2026, 5, 31, 23, 30, tzinfo=ROME),
    )
    make_call(
        client=gamma,
        billing_code="303",
        talk_seconds=90,
        start=datetime(2026, 5, 20, 9, 0, tzinfo=ROME),
    )
    make_call(
        client=delta,
        billing_code="404",
        talk_seconds=0,
        status="no_answer",
        start=datetime(2026, 5, 20, 9, 0, tzinfo=ROME),
    )
    make_call(
        client=epsilon,
        billing_code="505",
        talk_seconds=500,
        start=datetime(2026, 6, 1, 0, 30, tzinfo=ROME),
    )
    return {"alfa": alfa, "beta": beta, "gamma": gamma, "delta": delta, "paolo": paolo}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("client_statements", *args, stdout=out, stderr=err)
    except CommandError as error:
        error.out, error.err = out.getvalue(), err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def send_may(*extra):
    return run("--month", "2026-05", "--send", "--user", "paolo", *extra)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_issuing_numbers_freezes_and_sends_each_statement_once_with_its_pdf(smtp_server, may):
    with pytest.raises(CommandError) as failure:  # Gamma has no address: exit 3
        send_may()
    assert failure.value.returncode == 3
    assert "2026-05/3: 303 · Gamma Studi: no billing e-mail, not sent" in failure.value.err
    statements = list(IssuedStatement.objects.order_by("sequence"))
    # Clients with billable calls, by name; not Delta (nothing billable) nor Epsilon (June).
    assert [(s.number, s.client.name) for s in statements] == [
        ("2026-05/1", "Alfa S.r.l."),
        ("2026-05/2", "Beta Caffè S.n.c."),
        ("2026-05/3", "Gamma Studi"),
    ]
    alfa = statements[0]
    # 600 s and 1300 s in 6-minute units per call: 12 + 24 minutes at € 100/hour.
    assert alfa.billable_seconds == 36 * 60
    assert alfa.amount == Decimal("60.00")
    assert alfa.hourly_rate == Decimal("100.00")
    assert alfa.policy == {
        "increment_minutes": 6,
        "rounding": "per_call",
        "minimum_seconds": 0,
        "ignore_below_seconds": 0,
    }
    assert [
        (line["talk_seconds"], line["billable_seconds"], line["amount"]) for line in alfa.lines
    ] == [
        (600, 720, "20.00"),
        (1300, 1440, "40.00"),
    ]
    assert alfa.created_by.username == "paolo"
    assert (alfa.sent_to, alfa.send_attempts) == ("conti@alfa.test", 1)
    assert alfa.sent_at is not None and statements[2].sent_at is None

    assert sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt) == [
        "beta@beta.test",
        "conti@alfa.test",
    ]
    message = smtp_server.to("conti@alfa.test")[0]
    assert message["Subject"].strip() == (
        "Rendiconto 2026-05/1 delle telefonate, maggio 2026 · Studio Legale Rossi"
    )
    text = message.get_body(("plain",)).get_content()
    assert "Spettabile Alfa S.r.l.," in text
    assert "rendiconto n. 2026-05/1" in text and "€ 60,00" in text
    assert "€ 60,00" in message.get_body(("html",)).get_content()
    # The time in words, not "0:36:00"; the amount says what the page and the PDF say.
    assert "Tempo fatturabile: 36 min\r\n" in text and "0:36:00" not in text
    assert "Importo: € 60,00 (IVA esclusa)" in text
    assert "€ 60,00 (IVA esclusa)" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "rendiconto-2026-05-1-alfa-s-r-l.pdf"
    assert attachment.get_content_type() == "application/pdf"
    content = attachment.get_content()
    assert content == bytes(alfa.pdf)
    assert "Alfa S.r.l." in pdf_text(content) and "60,00" in pdf_text(content)
    assert "Rendiconto n. 2026-05/1" in pdf_text(content)
    assert "Rendiconto n. 2026-05/2" in pdf_text(bytes(statements[1].pdf))


def test_a_rerun_sends_nothing_already_sent_and_changes_no_issued_statement(smtp_server, may):
    with pytest.raises(CommandError):
        send_may()
    before = {
        s.number: (s.amount, s.lines, bytes(s.pdf), s.sent_at)
        for s in IssuedStatement.objects.all()
    }
    with pytest.raises(CommandError) as failure:
        send_may()
    assert "0 issued (3 issued before), 0 sent" in failure.value.out
    assert len(smtp_server.messages) == 2
    after = {
        s.number: (s.amount, s.lines, bytes(s.pdf), s.sent_at)
        for s in IssuedStatement.objects.all()
    }
    assert after == before


def test_a_client_given_an_address_later_gets_its_statement_on_the_next_run(smtp_server, may):
    with pytest.raises(CommandError):
        send_may()
    may["gamma"].billing_email = "studio@gamma.test"
    may["gamma"].save()
    out, _err = send_may()
    assert "2026-05/3: sent to studio@gamma.test" in out
    assert len(smtp_server.messages) == 3


def test_an_smtp_outage_mid_run_is_reported_per_client_and_a_rerun_sends_the_rest_once(
    smtp_server, may
):
    may["gamma"].billing_email = "studio@gamma.test"
    may["gamma"].save()
    smtp_server.accept_only = 1  # the server goes down after the first e-mail
    with pytest.raises(CommandError) as failure:
        send_may()
    assert (
        "2026-05/2: 202 · Beta Caffè S.n.c.: not sent to beta@beta.test: SMTP" in failure.value.err
    )
    assert "2026-05/3: 303 · Gamma Studi: not sent to studio@gamma.test" in failure.value.err
    assert "1 sent, 2 failed" in failure.value.out
    unsent = IssuedStatement.objects.filter(sent_at__isnull=True).order_by("sequence")
    assert [(s.number, s.send_attempts) for s in unsent] == [("2026-05/2", 1), ("2026-05/3", 1)]
    assert all(s.last_error for s in unsent)
    # Down altogether: nothing is marked sent.
    smtp_server.stop()
    with pytest.raises(CommandError) as failure:
        send_may()
    assert "SMTP server unreachable" in failure.value.err
    assert IssuedStatement.objects.filter(sent_at__isnull=True).count() == 2
    # Back: the rest, exactly once each.
    smtp_server.start()
    smtp_server.accept_only = None
    out, _err = send_may()
    assert "0 issued (3 issued before), 2 sent, 0 failed" in out
    assert sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt) == [
        "beta@beta.test",
        "conti@alfa.test",
        "studio@gamma.test",
    ]
    out, _err = send_may()
    assert "0 sent" in out and len(smtp_server.messages) == 3
    assert not IssuedStatement.objects.filter(sent_at__isnull=True).exists()


def test_a_refused_address_fails_only_that_client(smtp_server, may):
    smtp_server.refuse.add("beta@beta.test")
    result = statements_issue_and_send(month=MAY, user=may["paolo"])
    statuses = {o.statement.client.code: (o.status, o.error) for o in result.outcomes}
    assert statuses["101"] == (SENT, "")
    assert statuses["202"][0] == FAILED and "550" in statuses["202"][1]
    assert statuses["303"] == (NO_ADDRESS, "")


def test_issued_statements_are_unchanged_by_a_later_rate_or_policy_change(smtp_server, may):
    statements_issue_and_send(month=MAY, user=may["paolo"])
    alfa = IssuedStatement.objects.get(client=may["alfa"])
    frozen = (alfa.amount, alfa.lines, alfa.policy_text, bytes(alfa.pdf))
    may["alfa"].hourly_rate = Decimal("300")
    may["alfa"].save()
    policy = BillingPolicy.load()
    policy.increment_minutes = 15
    policy.save()
    statements_issue_and_send(month=MAY, user=may["paolo"])
    alfa.refresh_from_db()
    assert (alfa.amount, alfa.lines, alfa.policy_text, bytes(alfa.pdf)) == frozen
    assert "€ 100,00" in alfa.policy_text


def test_issuing_closes_the_month(smtp_server, may):
    assert not ClosedPeriod.objects.filter(month=MAY).exists()
    result = statements_issue_and_send(month=MAY, user=may["paolo"])
    assert result.issue.closed_month
    period = ClosedPeriod.objects.get(month=MAY)
    assert period.closed_by == may["paolo"]


def test_a_month_not_ended_is_not_issued(smtp_server, may):
    make_call(client=may["alfa"], billing_code="101", start=datetime.now(ROME))
    month = datetime.now(ROME).strftime("%Y-%m")
    with pytest.raises(CommandError, match="non è ancora finito"):
        run("--month", month, "--send", "--user", "paolo")
    assert not IssuedStatement.objects.exists()
    assert smtp_server.messages == []


def test_a_correction_supersedes_the_old_statement_and_both_are_kept(smtp_server, may):
    with pytest.raises(CommandError):
        send_may()
    period_reopen(month=MAY, user=may["paolo"], reason="A call of Alfa was missing")
    make_call(
        client=may["alfa"],
        billing_code="101",
        talk_seconds=60,
        start=datetime(2026, 5, 6, 10, 0, tzinfo=ROME),
    )
    with pytest.raises(CommandError) as failure:  # Gamma still has no address
        send_may("--correct", "101")
    out = failure.value.out
    assert "2026-05/4: 101 · Alfa S.r.l. (supersedes 2026-05/1)" in out
    old = IssuedStatement.objects.get(number="2026-05/1")
    new = IssuedStatement.objects.get(number="2026-05/4")
    assert new.supersedes == old and old.superseded_by == new
    assert (old.calls, new.calls) == (2, 3)
    assert new.sent_to == "conti@alfa.test"
    assert [m["Subject"].strip().split()[1] for m in smtp_server.to("conti@alfa.test")] == [
        "2026-05/1",
        "2026-05/4",
    ]
    assert ClosedPeriod.objects.filter(month=MAY).exists()


def test_a_dry_run_lists_who_gets_what_and_changes_nothing(smtp_server, may):
    out, _err = send_may("--dry-run")
    assert "101 · Alfa S.r.l.: € 60,00, conti@alfa.test (to issue)" in out
    assert "303 · Gamma Studi: € 6,00, no billing e-mail: not sent (to issue)" in out
    assert "Delta" not in out
    assert not IssuedStatement.objects.exists() and not ClosedPeriod.objects.exists()
    assert smtp_server.messages == []


def test_send_without_a_user_issues_as_the_first_administrator(smtp_server, may):
    with pytest.raises(CommandError, match="--user"):  # no superuser yet: say who must issue
        run("--month", "2026-05", "--send")
    assert not IssuedStatement.objects.exists()
    admin = get_user_model().objects.create_superuser("titolare", "t@studio.test", "x")

    with pytest.raises(CommandError) as failure:  # Gamma has no address: exit 3
        run("--month", "2026-05", "--send")

    assert "Issued as titolare" in failure.value.out
    assert {s.created_by for s in IssuedStatement.objects.all()} == {admin}


def test_send_needs_a_known_user():
    with pytest.raises(CommandError, match="--user 'nobody'"):
        run("--month", "2026-05", "--send", "--user", "nobody")
    with pytest.raises(CommandError, match="--output DIR"):
        run("--month", "2026-05")


def test_with_output_too_the_pack_is_written_and_the_month_issued(smtp_server, may, tmp_path):
    with pytest.raises(CommandError):  # Gamma has no address
        send_may("--output", str(tmp_path))
    assert (tmp_path / "rendiconti-2026-05.pdf").exists()
    assert IssuedStatement.objects.count() == 3


def test_issued_lines_keep_each_call_s_matter_and_rate(smtp_server, may):
    matter = make_matter(client=may["alfa"], code="10101", name="Causa Alfa", hourly_rate="300")
    call = make_call(
        client=may["alfa"],
        matter=matter,
        billing_code="10101",
        talk_seconds=360,
        start=datetime(2026, 5, 6, 10, 0, tzinfo=ROME),
    )
    assert call.matter == matter

    with pytest.raises(CommandError):  # Gamma has no address
        send_may()

    alfa = IssuedStatement.objects.get(client=may["alfa"])
    assert [(line["matter_code"], line["hourly_rate"], line["amount"]) for line in alfa.lines] == [
        ("10101", "300.00", "30.00"),
        ("", "100.00", "20.00"),
        ("", "100.00", "40.00"),
    ]
    assert "Causa Alfa" in pdf_text(bytes(alfa.pdf))


def test_a_statement_another_run_is_sending_is_left_to_it_until_its_claim_expires(smtp_server, may):
    issued = statements_issue(month=MAY, user=may["paolo"]).issued
    alfa = next(s for s in issued if s.client == may["alfa"])
    IssuedStatement.objects.filter(pk=alfa.pk).update(sending_since=timezone.now())

    statements_send(month=MAY)

    assert smtp_server.to("conti@alfa.test") == []
    assert smtp_server.to("beta@beta.test") != []  # the others went
    IssuedStatement.objects.filter(pk=alfa.pk).update(
        sending_since=timezone.now() - timedelta(minutes=16)  # that run died
    )

    statements_send(month=MAY)

    assert len(smtp_server.to("conti@alfa.test")) == 1
    alfa.refresh_from_db()
    assert alfa.sent_at is not None and alfa.sending_since is None
