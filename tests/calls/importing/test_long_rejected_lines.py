"""A huge "line" is rejected, and kept as its first few KB with its length and SHA-256, not
whole: a 60 MB line made a 63 MB row and a 63 MB admin page (issue 21, 2.6)."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from calls.cdr.synthetic import threecx_lines
from calls.importing.files import inspect_cdr_file
from calls.importing.services import cdr_import, rejected_lines_retry
from calls.limits import REJECTED_RAW_KEPT_CHARS
from calls.models import Call, RejectedLine
from tests.calls.cdr.helpers import threecx_line
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

LONG = 3_000_000  # characters: the same as 60 MB for what is stored, a test's memory aside


def _file(tmp_path):
    good = list(threecx_lines(5, start=datetime(2026, 3, 2, 8, tzinfo=UTC), client_codes=["123"]))
    huge = threecx_line(historyid="Call " + "7" * LONG)
    path = tmp_path / "cdr.log"
    path.write_text("".join([*good[:3], huge, *good[3:]]))
    return path, huge.rstrip("\r\n")


def test_a_huge_line_keeps_its_beginning_its_length_and_its_sha256(tmp_path):
    path, huge = _file(tmp_path)
    summary = cdr_import(cdr_file=inspect_cdr_file(path))
    assert (summary.imported, summary.rejected) == (5, 1)
    line = RejectedLine.objects.get()
    assert line.line_number == 4, line.reason
    assert line.raw == huge[:REJECTED_RAW_KEPT_CHARS]
    assert line.raw_length == len(huge) > LONG
    assert line.raw_sha256 == hashlib.sha256(huge.encode()).hexdigest()
    assert line.is_cut
    # The same file again: the line is known (whole-line hash), not stored twice.
    assert cdr_import(cdr_file=inspect_cdr_file(path)).rejected == 1
    assert RejectedLine.objects.count() == 1


def test_a_short_rejected_line_is_kept_whole(tmp_path):
    line = threecx_line(historyid="Call 1", time_end="2020/05/04 10:00:00")
    path = tmp_path / "cdr.log"
    path.write_text(line)
    cdr_import(cdr_file=inspect_cdr_file(path))
    rejected = RejectedLine.objects.get()
    assert rejected.raw == line.rstrip("\r\n")
    assert rejected.raw_length == len(rejected.raw)
    assert not rejected.is_cut


def test_retrying_a_cut_line_leaves_it_as_it_is(tmp_path):
    path, _huge = _file(tmp_path)
    cdr_import(cdr_file=inspect_cdr_file(path))
    line = RejectedLine.objects.get()
    summary = rejected_lines_retry(lines=RejectedLine.objects.all())
    assert (summary.imported, summary.rejected) == (0, 1)
    again = RejectedLine.objects.get()
    assert (again.pk, again.reason, again.raw) == (line.pk, line.reason, line.raw)
    assert again.retried_at is not None
    assert Call.objects.count() == 5


def test_the_admin_shows_the_length_and_the_sha256_of_a_cut_line(tmp_path, anna):
    path, huge = _file(tmp_path)
    cdr_import(cdr_file=inspect_cdr_file(path))
    line = RejectedLine.objects.get()
    response = logged_in(anna).get(reverse("admin:calls_rejectedline_change", args=[line.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert len(response.content) < 100_000
    assert f"{len(huge):,}".replace(",", ".") + " caratteri" in page
    assert "solo i primi 4.096" in page
    assert line.raw_sha256 in page
