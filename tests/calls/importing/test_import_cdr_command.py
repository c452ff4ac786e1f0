"""import_cdr: nothing lost, idempotent, clear errors, no query per line."""

import getpass
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.cdr import THREECX_FIELDS
from calls.importing import services
from calls.models import Call, CdrLayout, ImportRun, RejectedLine
from firm.models import FirmSettings
from tests.calls.importing.helpers import EXIT_REJECTED, run_import, threecx_line, write
from tests.factories import make_client, make_trunk

pytestmark = pytest.mark.django_db


def _lines(count, first=1, **fields):
    return [threecx_line(n, **fields) for n in range(first, first + count)]


def test_it_imports_a_3cx_file_and_records_the_run(tmp_path):
    path = write(tmp_path / "cdr.log", _lines(3))
    code, out, err = run_import(path)
    assert code == 0, err
    assert "3CX" in out
    run = ImportRun.objects.get()
    assert (run.file_name, run.file_size, len(run.sha256)) == (str(path), path.stat().st_size, 64)
    assert (run.lines_read, run.imported, run.format_name) == (3, 3, "threecx")
    assert run.via == f"command:{getpass.getuser()}"
    assert set(Call.objects.values_list("import_run", flat=True)) == {run.pk}
    assert sorted(Call.objects.values_list("source_line", flat=True)) == [1, 2, 3]


def test_calls_get_their_client_and_unknown_codes_are_kept_and_matched_later(tmp_path):
    affaroni = make_client("123", "Affaroni S.p.A.")
    lines = [
        threecx_line(1, dial="3454565678**123", bill_code="123"),
        threecx_line(2, dial="3454565678**777", bill_code="777"),
        threecx_line(3, dial="3454565678"),
    ]
    run_import(write(tmp_path / "cdr.log", lines))
    known, unknown, uncoded = Call.objects.order_by("source_line")
    assert (known.client, known.billing_code, known.destination) == (
        affaroni,
        "123",
        "3454565678**123",
    )
    assert (unknown.client, unknown.billing_code) == (None, "777")
    assert (uncoded.client, uncoded.billing_code) == (None, "")
    from calls.services import client_save_and_link
    from clients.models import Client

    later = client_save_and_link(client=Client(code="777", name="Cliente arrivato dopo")).client
    unknown.refresh_from_db()
    assert unknown.client == later


def test_the_code_in_the_bill_code_column_rebuilds_the_recorded_destination(tmp_path):
    run_import(write(tmp_path / "cdr.log", [threecx_line(1, dial="3454565678", bill_code="123")]))
    call = Call.objects.get()
    assert (call.destination, call.dialled_number, call.billing_code) == (
        "3454565678**123",
        "3454565678",
        "123",
    )


def test_a_trunk_prefix_still_in_the_dial_string_is_applied_as_the_dial_rules_say(tmp_path):
    cellular = make_trunk("9", "Gateway cellulare")
    line = threecx_line(1, to="93454565678**123", dial="93454565678**123", to_dn="")
    run_import(write(tmp_path / "cdr.log", [line]))
    call = Call.objects.get()
    assert (call.trunk, call.dialled_number, call.destination, call.billing_code) == (
        cellular,
        "3454565678",
        "3454565678**123",
        "123",
    )


def test_importing_the_same_file_twice_stores_each_call_once(tmp_path):
    path = write(tmp_path / "cdr.log", _lines(5))
    run_import(path)
    code, out, _ = run_import(path)
    assert code == 0
    assert Call.objects.count() == 5
    second = ImportRun.objects.order_by("pk").last()
    assert (second.lines_read, second.imported, second.duplicates) == (5, 0, 5)
    assert "5 lines read, 0 imported, 5 duplicates, 0 rejected" in out


def test_overlapping_files_store_each_call_once(tmp_path):
    first = write(tmp_path / "a.log", _lines(6, first=1))
    second = write(tmp_path / "b.log", _lines(6, first=4))
    code, out, _ = run_import(first, second)
    assert code == 0
    assert Call.objects.count() == 9
    assert "total: 12 lines read, 9 imported, 3 duplicates, 0 rejected" in out


def test_a_run_that_dies_halfway_is_finished_by_running_it_again(tmp_path, monkeypatch):
    path = write(tmp_path / "cdr.log", _lines(25))
    real_match = services.match_record
    seen = []

    def dies_on_line_18(record, rules):
        seen.append(record.line_number)
        if record.line_number == 18:
            raise KeyboardInterrupt  # as if the process were stopped
        return real_match(record, rules)

    monkeypatch.setattr(services, "BATCH_SIZE", 10)
    monkeypatch.setattr(services, "match_record", dies_on_line_18)
    with pytest.raises(KeyboardInterrupt):
        run_import(path)
    failed = ImportRun.objects.get()
    assert failed.status == ImportRun.Status.FAILED
    assert Call.objects.count() == 10  # the first batch was committed
    monkeypatch.setattr(services, "match_record", real_match)
    code, out, _ = run_import(path)
    assert code == 0
    assert Call.objects.count() == 25
    assert "25 lines read, 15 imported, 10 duplicates, 0 rejected" in out


def test_bad_lines_are_kept_with_file_line_field_and_reason_and_exit_code_3(tmp_path):
    lines = _lines(2) + [threecx_line(3, start="2020/13/04 10:00:00")] + _lines(1, first=4)
    path = write(tmp_path / "cdr.log", lines)
    code, out, err = run_import(path)
    assert code == EXIT_REJECTED
    assert "4 lines read, 3 imported, 0 duplicates, 1 rejected" in out
    assert f"{path} line 3: field time-start '2020/13/04 10:00:00' is not a date" in err
    rejected = RejectedLine.objects.get()
    assert (rejected.file_name, rejected.line_number, rejected.field) == (
        str(path),
        3,
        "time-start",
    )
    assert rejected.raw == lines[2].rstrip("\n")
    run = ImportRun.objects.get()
    assert run.lines_read == run.imported + run.duplicates + run.rejected == 4


def test_a_bad_line_met_again_is_kept_once(tmp_path):
    path = write(tmp_path / "cdr.log", [threecx_line(1, start="yesterday")])
    assert run_import(path)[0] == EXIT_REJECTED
    assert run_import(path)[0] == EXIT_REJECTED
    assert RejectedLine.objects.count() == 1
    assert ImportRun.objects.filter(rejected=1).count() == 2


def test_rejected_lines_import_on_retry_once_the_layout_is_fixed(tmp_path):
    # A PBX writing a 21-field order no built-in layout knows: every line is rejected…
    custom = THREECX_FIELDS[:21]  # the default order cut after from-type
    good = _lines(3, to="3454565678", dial="3454565678**123", bill_code="123")
    reordered = [",".join(line.split(",")[:21]) + "\n" for line in good]
    path = write(tmp_path / "cdr.log", reordered)
    layout = CdrLayout(name="Centralino sede", fields=", ".join(custom))
    code, _out, err = run_import(path)
    assert code == 1 and "layout" in err.lower()  # unknown layout: nothing imported
    assert not Call.objects.exists() and not ImportRun.objects.exists()
    # …the administrator describes the layout, and the import goes through.
    layout.full_clean()
    layout.save()
    code, out, err = run_import(path, "--layout", "Centralino sede")
    assert code == 0, err
    assert Call.objects.filter(billing_code="123").count() == 3


def test_retrying_rejected_lines_imports_the_ones_that_now_fit(tmp_path):
    from calls.importing.services import rejected_lines_retry

    long_number = "3" * 90
    path = write(
        tmp_path / "cdr.log",
        [
            threecx_line(1),
            threecx_line(2, to=long_number),
            threecx_line(3, start="2020/13/04 10:00:00"),
        ],
    )
    assert run_import(path)[0] == EXIT_REJECTED
    assert RejectedLine.objects.count() == 2
    summary = rejected_lines_retry(lines=RejectedLine.objects.all())
    assert (summary.lines_read, summary.imported, summary.rejected) == (2, 0, 2)
    assert all(line.retried_at for line in RejectedLine.objects.all())
    # Lines that are stored already leave the list on retry.
    RejectedLine.objects.filter(line_number=3).update(raw=threecx_line(1).rstrip("\n"))
    summary = rejected_lines_retry(lines=RejectedLine.objects.all())
    assert (summary.duplicates, summary.rejected) == (1, 1)
    assert list(RejectedLine.objects.values_list("line_number", flat=True)) == [2]


def test_a_dry_run_reports_and_writes_nothing(tmp_path):
    path = write(tmp_path / "cdr.log", _lines(4) + [threecx_line(5, start="bad")])
    code, out, _ = run_import(path, "--dry-run")
    assert code == EXIT_REJECTED
    assert "5 lines read, 4 would import, 0 duplicates, 1 rejected" in out
    assert not Call.objects.exists()
    assert not ImportRun.objects.exists()
    assert not RejectedLine.objects.exists()


def test_a_dry_run_counts_calls_already_stored_as_duplicates(tmp_path):
    run_import(write(tmp_path / "a.log", _lines(2)))
    code, out, _ = run_import(write(tmp_path / "b.log", _lines(4)), "--dry-run")
    assert "4 lines read, 2 would import, 2 duplicates" in out


def _xlsx_bytes():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return data.getvalue()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n1 0 obj << >> endobj\n", "PDF"),
        (_xlsx_bytes(), "binary"),
        (b"code,name,vat\n123,Affaroni,IT0123\n456,Bianchi,IT0456\n", "no line looks like"),
    ],
)
def test_a_file_that_is_not_a_cdr_file_stops_with_a_clear_error_and_writes_nothing(
    tmp_path, content, says
):
    good = write(tmp_path / "a-good.log", _lines(2))
    bad = tmp_path / "b-bad.csv"
    bad.write_bytes(content)
    code, _out, err = run_import(good, bad)
    assert code == 1
    assert str(bad) in err and says in err
    assert not Call.objects.exists() and not ImportRun.objects.exists()


def test_files_in_a_folder_that_are_not_cdr_files_are_skipped_with_a_warning(tmp_path):
    write(tmp_path / "cdr.log", _lines(2))
    (tmp_path / "README.txt").write_text("Esportazioni del centralino\n", encoding="utf-8")
    code, out, err = run_import(tmp_path)
    assert code == 0
    assert "README.txt" in err and "skipped" in err
    assert Call.objects.count() == 2


def test_a_missing_path_is_a_usage_error(tmp_path):
    code, _out, err = run_import(tmp_path / "nope.log")
    assert code == 1 and "nope.log" in err


def test_format_can_be_insisted_on(tmp_path):
    path = write(tmp_path / "cdr.log", _lines(1))
    assert run_import(path, "--format", "threecx")[0] == 0
    code, _out, err = run_import(path, "--format", "asterisk")
    assert code == 1 and "asterisk" in err


def test_windows_1252_files_and_crlf_and_blank_lines_import(tmp_path):
    lines = [
        threecx_line(1).replace("from disp", "Società Rossi").replace("\n", "\r\n"),
        "\r\n",
        threecx_line(2).replace("\n", "\r\n"),
    ]
    path = write(tmp_path / "cdr.log", lines, encoding="cp1252")
    code, out, err = run_import(path)
    assert code == 0, err
    assert Call.objects.get(source_line=1).caller_name == "Società Rossi"
    assert Call.objects.count() == 2


def test_the_number_of_queries_does_not_grow_with_the_lines(tmp_path):
    FirmSettings.load()
    make_client("123", "Affaroni S.p.A.")
    make_trunk("9", "Gateway cellulare", identifiers=["10001"])
    small = write(tmp_path / "small.log", _lines(20, dial="3454565678**123", bill_code="123"))
    large = write(
        tmp_path / "large.log", _lines(2000, first=100, dial="3454565678**123", bill_code="123")
    )
    with CaptureQueriesContext(connection) as few:
        run_import(small)
    with CaptureQueriesContext(connection) as many:
        run_import(large)
    assert Call.objects.count() == 2020
    assert len(many.captured_queries) == len(few.captured_queries)


def test_asterisk_accountcode_is_the_billing_code(tmp_path):
    client = make_client("123", "Affaroni S.p.A.")
    line = (
        '"123","101","3454565678","from-internal","""Rita"" <101>","SIP/101-0001",'
        '"SIP/gsm-0002","Dial","SIP/gsm/3454565678","2026-05-04 11:00:00",'
        '"2026-05-04 11:00:05","2026-05-04 11:01:05",65,60,"ANSWERED","DOCUMENTATION",'
        '"1777777777.1",""\n'
    )
    gsm = make_trunk("9", "Gateway cellulare", identifiers=["SIP/gsm"])
    code, _out, err = run_import(write(tmp_path / "Master.csv", [line]))
    assert code == 0, err
    call = Call.objects.get()
    assert (call.billing_code, call.client, call.trunk, call.talk_seconds) == (
        "123",
        client,
        gsm,
        60,
    )
    assert call.start.isoformat() == "2026-05-04T09:00:00+00:00"  # Rome summer time → UTC


def test_a_headered_csv_from_another_pbx_imports(tmp_path):
    content = (
        "Data;Chiamante;Numero;Durata;Codice cliente\n04/05/2026 11:00;114;3454565678;65;123\n"
    )
    path = tmp_path / "export.csv"
    path.write_text(content, encoding="utf-8")
    code, _out, err = run_import(path)
    assert code == 0, err
    call = Call.objects.get()
    assert (call.billing_code, call.destination, call.talk_seconds) == (
        "123",
        "3454565678**123",
        65,
    )


def test_adding_a_trunk_identifier_later_gives_earlier_calls_their_trunk(tmp_path):
    from calls.services import calls_link_trunks

    run_import(write(tmp_path / "cdr.log", _lines(3, to_dn="10007")))
    assert not Call.objects.filter(trunk__isnull=False).exists()
    trunk = make_trunk("7", "Nuovo operatore", identifiers=["10007"])
    assert calls_link_trunks() == 3
    assert Call.objects.filter(trunk=trunk).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_batch_commits_on_its_own_outside_any_transaction(tmp_path, monkeypatch):
    # As in production: no outer transaction, so each batch is committed by itself (on
    # PostgreSQL through the pipelined writer's BEGIN/COMMIT).
    path = write(tmp_path / "cdr.log", _lines(45) + [threecx_line(99, start="bad")])
    real_match = services.match_record

    def dies_on_line_38(record, rules):
        if record.line_number == 38:
            raise KeyboardInterrupt
        return real_match(record, rules)

    monkeypatch.setattr(services, "BATCH_SIZE", 10)
    monkeypatch.setattr(services, "match_record", dies_on_line_38)
    with pytest.raises(KeyboardInterrupt):
        run_import(path)
    assert Call.objects.count() == 30
    failed = ImportRun.objects.get()
    assert (failed.status, failed.lines_read, failed.imported) == ("failed", 30, 30)
    monkeypatch.setattr(services, "match_record", real_match)
    code, out, _ = run_import(path)
    assert code == EXIT_REJECTED
    assert "46 lines read, 15 imported, 30 duplicates, 1 rejected" in out
    assert Call.objects.count() == 45
    assert RejectedLine.objects.count() == 1


def test_an_import_run_with_calls_cannot_be_deleted(tmp_path):
    # Call.import_run has no database constraint (0018): runs are kept, never deleted.
    from django.db.models import ProtectedError

    run_import(write(tmp_path / "cdr.log", _lines(2)))
    with pytest.raises(ProtectedError):
        ImportRun.objects.get().delete()
    assert Call.objects.filter(import_run__isnull=False).count() == 2
