"""The shared PDF rendering pool (calls/pdf.py decisions 2 and 5): many documents through
few workers, the pool replaced when worn out, never hanging."""

import io
import threading

import pytest
from pypdf import PdfReader

from calls import pdf


def _html(n: int) -> str:
    return f"<!doctype html><html><body><p>document-{n:03d}</p></body></html>"


def _render_on_a_thread(htmls, timeout=120):
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(pdfs=pdf.html_documents_to_pdfs(htmls)), daemon=True
    )
    thread.start()
    thread.join(timeout=timeout)
    assert not thread.is_alive(), "rendering hung (CPython gh-115634?)"
    return result["pdfs"]


def test_more_documents_than_a_worker_may_render_are_all_rendered_in_order(settings, monkeypatch):
    # With max_tasks_per_child this hung as soon as a worker reached its limit with
    # documents still queued; the pool is now retired and replaced instead.
    settings.PDF_WORKERS = 2
    monkeypatch.setattr(pdf, "CHUNKS_PER_WORKER", 2)
    first_pool = None
    for round_ in range(3):
        htmls = [_html(round_ * 10 + n) for n in range(9)]
        pdfs = _render_on_a_thread(htmls)
        texts = [PdfReader(io.BytesIO(document)).pages[0].extract_text() for document in pdfs]
        assert texts == [f"document-{round_ * 10 + n:03d}" for n in range(9)]
        if first_pool is None:
            first_pool = pdf._pool
    assert pdf._pool is not first_pool  # worn out, replaced


@pytest.mark.parametrize("workers", [1, 2])
def test_an_empty_list_renders_nothing(settings, workers):
    settings.PDF_WORKERS = workers
    assert pdf.html_documents_to_pdfs([]) == []
