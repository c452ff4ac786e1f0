"""Security hardening that no single app owns: page sizes, headers, login throttling."""

import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


# --- Page size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", ["200000", "5", "99999999999999999999", "-1", "abc"])
def test_the_call_log_shows_50_calls_a_page_whatever_per_page_says(paolo, per_page):
    for _n in range(60):
        make_call()  # in May 2026
    response = logged_in(paolo).get(
        reverse("calls:log"),
        {"date_after": "2026-05-01", "date_before": "2026-05-31", "per_page": per_page},
    )
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 50


def test_the_client_search_shows_25_clients_a_page_whatever_per_page_says(rita):
    for code in range(30):
        make_client(code=str(100 + code), name=f"Cliente {code}")
    response = logged_in(rita).get(reverse("clients:search"), {"per_page": "1000"})
    assert len(response.context["table"].page.object_list) == 25


# --- Spreadsheet formulas in every export -------------------------------------------------------

HOSTILE_TEXT = '=HYPERLINK("http://evil.example","x")'
MAY = {"date_after": "2026-05-01", "date_before": "2026-05-31"}


@pytest.fixture
def hostile_call():
    from decimal import Decimal

    client = make_client(
        code="123", name="-2+3 S.r.l.", vat_number="@SUM(A1)", hourly_rate=Decimal("120")
    )
    make_call(client=client, billing_code="123", caller="+39 114", caller_name=HOSTILE_TEXT)


def _text_cells(response) -> list[str]:
    """Every cell of a CSV, LEDES or XLSX download."""
    import csv
    import io

    from openpyxl import load_workbook

    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxml"):
        sheet = load_workbook(io.BytesIO(body)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        # Text kept as typed, in a string cell with Excel's quote prefix: as if neutralised.
        return [
            "'" + cell.value if cell.quotePrefix else cell.value
            for cell in cells
            if isinstance(cell.value, str)
        ]
    text = body.decode("utf-8-sig")
    if text.startswith("LEDES1998B"):
        return [
            field.removesuffix("[]") for line in text.split("\r\n") for field in line.split("|")
        ]
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


@pytest.mark.parametrize(
    ("url", "export"),
    [
        ("calls:log", "csv"),
        ("calls:log", "xlsx"),
        ("clients:statements", "csv"),
        ("clients:statements", "xlsx"),
        ("clients:statements", "billing_csv"),
        ("clients:statements", "ledes"),
        ("clients:statement", "billing_csv"),
        ("clients:statement", "ledes"),
    ],
)
def test_every_export_neutralises_spreadsheet_formulas(anna, hostile_call, url, export):
    from firm.lib.spreadsheets import looks_like_formula

    kwargs = {"code": "123"} if url == "clients:statement" else {}
    response = logged_in(anna).get(reverse(url, kwargs=kwargs), {**MAY, "_export": export})
    assert response.status_code == 200
    cells = _text_cells(response)
    assert any("HYPERLINK" in cell or "-2+3" in cell for cell in cells)
    assert not [cell for cell in cells if looks_like_formula(cell)]


# --- Password reset is off until e-mail is configured -----------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
        "/admin/password_reset/",
    ],
)
def test_there_are_no_password_reset_pages(client, path):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    response = client.post(path, {"email": "anna@example.com"})
    assert response.status_code in (302, 404)
    if response.status_code == 302:  # anonymous users are sent to log in, not to a form
        assert response["Location"].startswith((reverse("login"), reverse("admin:login")))


# --- Headers: no-store, Content-Security-Policy, Referrer-Policy --------------------------------


def _pages():
    from tests.test_access import PAGES

    return sorted(PAGES)


@pytest.fixture
def _pages_data(db):
    make_client(code="123", name="Affaroni S.p.A.")
    make_call(pk=1)


@pytest.mark.parametrize("name", _pages())
def test_every_page_for_a_logged_in_user_is_private_and_never_stored(anna, _pages_data, name):
    from tests.test_access import PAGES

    kwargs, _allowed = PAGES[name]
    response = logged_in(anna).get(reverse(name, kwargs=kwargs))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("calls:log", {"_export": "csv"}),
        ("calls:log", {"_export": "xlsx"}),
        ("calls:pdf", {"date_after": "2026-05-01", "date_before": "2026-05-31"}),
        ("clients:statements", {"_export": "ledes"}),
        ("clients:statement_pdf", MAY),
        ("admin:calls_call_changelist", {}),
    ],
)
def test_exports_pdfs_and_admin_pages_are_never_stored(anna, _pages_data, name, query):
    kwargs = {"code": "123"} if name.startswith("clients:statement_") else {}
    response = logged_in(anna).get(reverse(name, kwargs=kwargs), query)
    assert response.status_code == 200
    assert {"private", "no-store"} <= {p.strip() for p in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/admin/", "/calls/", "/clients/123/"])
def test_every_page_has_a_content_security_policy_and_a_referrer_policy(anna, _pages_data, path):
    response = logged_in(anna).get(path)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_an_inline_script_style_or_event_handler():
    """The policy forbids them; a browser would ignore them silently. (templates/pdf/ is
    read by WeasyPrint on the server, never by a browser; templates/email/ by mail programs,
    which need inline styles and never see our pages' policy.)"""
    import re
    from pathlib import Path

    from django.conf import settings

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)
    templates = Path(settings.BASE_DIR) / "templates"
    found = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        if path.relative_to(templates).parts[0] not in ("pdf", "email")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found
