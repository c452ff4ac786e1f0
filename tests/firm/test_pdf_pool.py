"""The shared PDF rendering pool (firm/lib/pdf.py decisions 2 and 5): many documents through
few workers, the pool replaced when worn out, never hanging."""

import io
import multiprocessing.forkserver
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from firm.lib import pdf


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


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"  # a zombie has ended; only its parent may reap it


def _all_gone(pids, within=10.0) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(_gone(pid) for pid in pids):
            return []
        time.sleep(0.1)
    return [pid for pid in pids if not _gone(pid)]


def _pool_processes() -> list[int]:
    return [*pdf._pool._processes, multiprocessing.forkserver._forkserver._forkserver_pid]


def test_shutdown_pool_stops_the_workers_and_the_fork_server(settings):
    settings.PDF_WORKERS = 2
    _render_on_a_thread([_html(n) for n in range(4)])
    processes = _pool_processes()
    assert len(processes) == 3
    pdf.shutdown_pool()
    assert _all_gone(processes) == []
    assert pdf._pool is None
    # The next print starts a new pool.
    assert len(_render_on_a_thread([_html(n) for n in range(2)])) == 2
    pdf.shutdown_pool()


KILLED_WEB_PROCESS = """
import multiprocessing.forkserver, multiprocessing.resource_tracker, time
from django.conf import settings
from firm.lib import pdf
settings.PDF_WORKERS = 2
pdf.html_documents_to_pdfs(["<p>one</p>", "<p>two</p>", "<p>three</p>"])
print(*pdf._pool._processes, multiprocessing.forkserver._forkserver._forkserver_pid,
      multiprocessing.resource_tracker._resource_tracker._pid, flush=True)
time.sleep(600)
"""


def test_a_killed_web_process_leaves_no_rendering_process_behind():
    # SIGKILL runs no exit hook: the workers notice that their web process is gone.
    web = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", KILLED_WEB_PROCESS],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DEBUG": "1"},
    )
    try:
        processes = [int(pid) for pid in web.stdout.readline().split()]
        assert len(processes) == 4, processes
        assert not any(_gone(pid) for pid in processes)
    finally:
        web.kill()
        web.wait()
    assert _all_gone(processes) == []
