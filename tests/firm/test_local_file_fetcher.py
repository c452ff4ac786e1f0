"""firm.lib.pdf.LocalFileFetcher: a print template reads files inside its folder (and data:
URLs) and nothing else — no file outside it, by any path, and no URL over the network."""

import io

import pytest
from pypdf import PdfReader

from firm.lib.pdf import LocalFileFetcher, html_to_pdf


@pytest.fixture
def folder(tmp_path):
    """A print folder with a stylesheet, beside a secret file it must not reach."""
    inside = tmp_path / "static"
    (inside / "css").mkdir(parents=True)
    (inside / "css" / "print.css").write_text("@page { size: A5 }")
    (tmp_path / "secret.css").write_text("@page { size: A3 }")
    return inside


def test_it_reads_a_file_inside_its_folder(folder):
    response = LocalFileFetcher(folder).fetch((folder / "css" / "print.css").as_uri())
    assert response.read() == b"@page { size: A5 }"


def test_it_reads_data_urls(folder):
    response = LocalFileFetcher(folder).fetch("data:text/css,p%7Bcolor:red%7D")
    assert response.read() == b"p{color:red}"


@pytest.mark.parametrize(
    "where",
    [
        lambda folder: (folder.parent / "secret.css").as_uri(),
        lambda folder: folder.as_uri() + "/css/../../secret.css",
        lambda folder: folder.as_uri() + "/css/link.css",  # a link pointing outside
    ],
    ids=["outside", "dot-dot", "symlink"],
)
def test_it_refuses_a_file_outside_its_folder_by_any_path(folder, where):
    (folder / "css" / "link.css").symlink_to(folder.parent / "secret.css")
    with pytest.raises(ValueError, match="outside"):
        LocalFileFetcher(folder).fetch(where(folder))


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/print.css", "https://example.com/a.png"])
def test_it_refuses_urls_over_the_network(folder, url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        LocalFileFetcher(folder).fetch(url)


def test_a_document_gets_the_styles_of_its_folder_and_not_those_outside(folder):
    html = (
        '<link rel="stylesheet" href="css/print.css">'
        f'<link rel="stylesheet" href="{(folder.parent / "secret.css").as_uri()}">'
        "<p>Affaroni S.p.A.</p>"
    )
    page = PdfReader(io.BytesIO(html_to_pdf(html, folder))).pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert round(width_mm) == 148  # A5 from inside the folder; A3 (297) would be the secret's
    assert "Affaroni S.p.A." in page.extract_text()
