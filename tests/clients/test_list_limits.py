"""Client and matter lists that would take a worker for minutes, or crash the reader, are
refused with a message before anything is imported (issue 21, 2.1 and 2.2)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from clients.importing import ClientListError, _xlsx_table, read_client_list, read_matter_list
from clients.models import Client, Matter
from tests.conftest import logged_in
from tests.factories import make_client

SHEET = "xl/worksheets/sheet1.xml"


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _bomb(rows: int) -> bytes:
    """A valid XLSX whose first sheet holds ``rows`` rows of XML: megabytes of XML squeezed
    into a small file, as the probe sent."""
    small = zipfile.ZipFile(io.BytesIO(_xlsx([["Codice", "Nome"]])))
    row = (
        '<row r="{n}"><c r="A{n}"><v>{n}</v></c>'
        '<c r="B{n}" t="inlineStr"><is><t>Cliente</t></is></c></row>'
    )
    body = "".join([row.format(n=n) for n in range(2, rows + 2)])
    sheet = small.read(SHEET).decode().replace("</sheetData>", body + "</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in small.infolist():
            content = sheet.encode() if member.filename == SHEET else small.read(member)
            bomb.writestr(member.filename, content)
    return out.getvalue()


def _upload(user, model, name, content):
    upload = SimpleUploadedFile(name, content)
    return logged_in(user).post(reverse(f"admin:clients_{model}_import"), {"file": upload})


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["client", "matter"])
def test_an_xlsx_too_large_once_uncompressed_is_refused_before_parsing(anna, model, settings):
    data = _bomb(550_000)  # about 60 MB of XML
    assert len(data) < 10 * 1024 * 1024  # passes the upload limit
    response = _upload(anna, model, "lista.xlsx", data)
    errors = " ".join(response.context["form"].errors["file"])
    assert "lista.xlsx" in errors
    assert "50 MB" in errors and "non compresso" in errors
    assert not Client.objects.exists() and not Matter.objects.exists()


def test_an_xlsx_with_more_rows_than_the_limit_is_refused(settings):
    settings.XLSX_MAX_ROWS = 50
    with translation.override("en"):
        assert len(list(read_client_list(_bomb(50), "lista.xlsx"))) == 50
        with pytest.raises(ClientListError, match="more than 50 rows"):
            list(read_client_list(_bomb(51), "lista.xlsx"))
        with pytest.raises(ClientListError, match="more than 50 rows"):
            list(read_matter_list(_bomb(51), "pratiche.xlsx"))


def test_the_uncompressed_limit_is_a_setting(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 20_000
    with translation.override("en"), pytest.raises(ClientListError, match="uncompressed"):
        list(read_client_list(_bomb(1000), "lista.xlsx"))


def test_a_cell_in_the_last_column_does_not_make_every_row_that_long():
    data = _bomb(3)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
    wide = sheet.replace("</row>", '<c r="XFD1"><v>1</v></c></row>', 1)
    wide = wide.replace('<dimension ref="A1:B1" />', '<dimension ref="A1:XFD4" />')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            target.writestr(member, wide if member.filename == SHEET else source.read(member))
    rows = list(read_client_list(out.getvalue(), "lista.xlsx"))
    assert [row.code for row in rows] == ["2", "3", "4"]
    assert max(len(row) for row in _xlsx_table(out.getvalue())) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["client", "matter"])
def test_a_nul_byte_after_the_first_4_kb_names_its_line(anna, model):
    make_client("100")
    header = b"code,name\n" if model == "client" else b"matter code,client code,name\n"
    line = (
        b"101,Cliente di prova con un nome lungo\n"
        if model == "client"
        else (b"5001,100,Pratica di prova con un nome lungo\n")
    )
    content = header + line * 200 + b"102,Cli\x00ente\n" + line
    assert content.index(b"\x00") > 4096
    response = _upload(anna, model, "lista.csv", content)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "lista.csv" in errors and "riga 202" in errors and "NUL" in errors
    assert Client.objects.count() == 1 and not Matter.objects.exists()
