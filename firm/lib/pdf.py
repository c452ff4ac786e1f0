"""Printing: our own templates rendered to PDF by WeasyPrint, reused by every printed report
(the call log, client statements and the month pack).

Decisions
---------
1. Assets are read from disk, never over HTTP: ``base_url`` is the ``static/`` folder and the
   URL fetcher refuses every scheme but ``file:`` (and ``data:``) and every file outside
   ``base_url`` (WeasyPrint "Security"). Only our own templates are rendered; Django
   autoescapes the database values in them.
2. Long tables are rendered in chunks of ``CHUNK_ROWS`` rows (``render_pdf_in_chunks``):
   WeasyPrint's time and memory grow with the boxes of one document, so a 10,000-row
   document in one go takes about a minute and 1.4 GB here. Each chunk is its own document;
   their pages are joined with pypdf. The chunks render side by side in ``PDF_WORKERS``
   processes (default: the CPU count, at most 4; 1 renders in the web process). They come
   from a "forkserver", a clean single-threaded process that preloads WeasyPrint, never
   from a fork of the web process, which may be threaded (runserver, gthread): a fork taken
   while another thread holds a lock (fontconfig, logging) can hang the child forever. The
   pool lives as long as the web process and its requests share it, so concurrent prints
   queue for the same few processes instead of each starting its own. Chunks are balanced so
   every worker gets as many (``balanced_chunk_rows``). Like every non-fork start method, a
   worker imports the parent's ``__main__`` module: a script that prints long PDFs must keep
   its work under ``if __name__ == "__main__":`` (manage.py, gunicorn and pytest do).
3. Page numbers over chunks. A chunk cannot know the page count of the whole document, so
   chunks are printed without page numbers; once the pages are counted, a stamp document of
   exactly that many empty pages whose ``@page`` margin box holds
   ``counter(page) … counter(pages)`` is rendered by WeasyPrint and laid over the pages
   (pypdf ``merge_page``). A document that fits in one chunk numbers its own pages.
4. A lean user-agent stylesheet, ``static/css/print_ua.css``, replaces WeasyPrint's
   ``html5_ua.css`` (``PrintHTML``): matching its many attribute selectors against every
   element of every row was about a third of the layout time of a long table. It overrides
   ``HTML._ua_stylesheets``, a private method of the pinned WeasyPrint; the PDF tests catch
   a change there (headings, bold totals, hidden ``<head>``).
5. Worn-out workers are replaced by retiring the whole pool after ``CHUNKS_PER_WORKER``
   documents per worker, not with ``ProcessPoolExecutor(max_tasks_per_child=…)``: on Python
   3.11 to 3.15.0b3 that option deadlocks once a worker exits with work still queued
   (CPython gh-115634): the executor never starts the replacement and the print hangs forever.
6. The pool is shut down when its web process ends (``shutdown_pool``: at interpreter exit,
   and from gunicorn's ``worker_exit`` hook, firm/gunicorn.conf.py), so no rendering process
   outlives the server. Left alone, the workers would wait for work forever (each holds both
   ends of the pool's queue, so it never sees the parent go) and, holding the fork server's
   "alive" pipe, keep the fork server up too: ~245 MB after every stop. The workers are
   terminated (a print in progress fails; at exit nobody waits for it), and the fork server,
   once no worker holds that pipe, exits by itself. A web process that is killed (gunicorn's
   timeout, the out-of-memory killer) runs no hook: each worker therefore also watches the
   web process that started its pool (``_exit_with_parent``) and exits when it is gone.
"""

from __future__ import annotations

import atexit
import functools
import io
import math
import multiprocessing
import multiprocessing.forkserver
import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

# Rows per WeasyPrint document when a long table is split (see decision 2).
CHUNK_ROWS = 200
# Found beside this package, not through settings: rendering workers have no Django setup.
PRINT_UA_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "print_ua.css"


def static_dir() -> Path:
    """Where printed documents read their CSS, fonts and images: ``static/`` on disk."""
    return Path(settings.BASE_DIR) / "static"


class LocalFileFetcher(URLFetcher):
    """Fetches ``file:`` URLs inside one folder (and ``data:`` URLs); refuses the rest, so a
    print template can never make the server fetch a URL."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("file", "data"))
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"Refusing to read {path}: outside {self.root}")
        return super().fetch(url, headers)


class PrintHTML(HTML):
    """An HTML document styled by our lean user-agent stylesheet (decision 4)."""

    def _ua_stylesheets(self, forms=False):
        return [_print_ua_stylesheet()]


@functools.cache
def _print_ua_stylesheet() -> CSS:
    return CSS(filename=PRINT_UA_CSS)


def _base_url(folder: Path) -> str:
    # The trailing slash makes "css/print.css" resolve inside the folder, not beside it.
    return folder.resolve().as_uri() + "/"


def html_to_pdf(html: str, folder: Path) -> bytes:
    """One HTML string (already rendered by our templates) to PDF bytes."""
    document = PrintHTML(
        string=html, base_url=_base_url(folder), url_fetcher=LocalFileFetcher(folder)
    )
    return document.write_pdf()


def render_pdf(template_name: str, context: dict, *, base_url: Path | None = None) -> bytes:
    """Render one of our templates to PDF; assets are read from ``base_url`` (a folder on
    disk, default ``static/``)."""
    return html_to_pdf(render_to_string(template_name, context), base_url or static_dir())


def pdf_workers() -> int:
    return max(1, int(getattr(settings, "PDF_WORKERS", 1)))


# One pool per web process, shared by its requests (thread-safe), so concurrent prints share
# PDF_WORKERS processes instead of each starting its own. See decision 2.
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_pool_tasks = 0  # documents given to the current pool
_pool_lock = threading.Lock()
# The pool is replaced after this many documents per worker, so WeasyPrint's caches cannot
# grow forever (decision 5; not ProcessPoolExecutor's max_tasks_per_child, which hangs).
CHUNKS_PER_WORKER = 200


def _submit(
    htmls: list[str], folder: Path, workers: int
) -> tuple[list[Future], ProcessPoolExecutor]:
    """Give ``htmls`` to the shared pool (started, or replaced when worn out, here) and
    return their futures. Under the lock, so no other request retires the pool between
    choosing it and submitting to it."""
    global _pool, _pool_workers, _pool_tasks
    with _pool_lock:
        if _pool is not None and _pool_workers != workers:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        elif _pool is not None and _pool_tasks >= CHUNKS_PER_WORKER * workers:
            # Retired: documents already given to it are still rendered, then its
            # processes exit; new documents go to a fresh pool.
            _pool.shutdown(wait=False)
            _pool = None
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            # The fork server imports WeasyPrint and this module once; every worker is a
            # fork of that single-threaded process, never of the threaded web process.
            context.set_forkserver_preload([__name__])
            _pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
            _pool_workers, _pool_tasks = workers, 0
        _pool_tasks += len(htmls)
        return [_pool.submit(html_to_pdf, html, folder) for html in htmls], _pool


def _exit_with_parent(web_process: int) -> None:
    """Runs first in each rendering worker: a thread that ends the worker as soon as the web
    process ``web_process`` is gone, however it ended (decision 6)."""
    threading.Thread(target=_wait_then_exit, args=(web_process,), daemon=True).start()


def _wait_then_exit(web_process: int) -> None:
    try:
        # A process file descriptor becomes readable when the process ends (Linux 5.3+).
        handle = os.pidfd_open(web_process)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # no pidfd here: ask every second
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while True:
            try:
                os.kill(web_process, 0)
            except ProcessLookupError:
                break
            time.sleep(1)
    os._exit(0)


def _forget_pool(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None


def shutdown_pool(timeout: float = 5.0) -> None:
    """Stop this process's rendering workers and its fork server now (decision 6). Safe to
    call at any time, more than once; a later print starts a new pool."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        # The executor's own processes: terminated, since shutdown() would wait for every
        # queued chunk, and at exit nobody is waiting for them.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
    # The fork server exits once its "alive" pipe is closed by us and by the workers.
    server = multiprocessing.forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None:
        server._stop()


# At interpreter exit (manage.py commands, tests, a worker leaving without gunicorn's hook).
# concurrent.futures' own exit handler runs first (it lets the queued chunks be rendered);
# this one then makes sure the workers and the fork server are gone before the process is.
atexit.register(shutdown_pool)


def _pdfs_from_htmls(
    htmls: list[str], folder: Path, progress: Callable[[int], None] | None = None
) -> list[bytes]:
    """The PDFs of ``htmls``, in order; ``progress(n)`` after each of the first n is ready."""
    workers = min(pdf_workers(), len(htmls))
    done = []
    if workers <= 1:
        for html in htmls:
            done.append(html_to_pdf(html, folder))
            if progress:
                progress(len(done))
        return done
    futures, pool = _submit(htmls, folder, pdf_workers())
    try:
        for future in futures:
            done.append(future.result())
            if progress:
                progress(len(done))
        return done
    except BrokenProcessPool:
        _forget_pool(pool)  # a worker died (killed, out of memory): the next print starts anew
        raise


def balanced_chunk_rows(total: int, most: int, workers: int) -> int:
    """Rows per chunk: at most ``most``, and, when there is more than one chunk, as many
    chunks as fill every worker equally, so none sits idle for a last lone chunk (1,000 rows
    on 2 workers: 6 chunks of 167, not 5 of 200 of which the fifth renders alone)."""
    if total <= most or workers <= 1:
        return most
    chunks = math.ceil(math.ceil(total / most) / workers) * workers
    return math.ceil(total / chunks)


def render_pdf_in_chunks(
    template_name: str,
    context: dict,
    rows: Sequence,
    *,
    page_numbers_template: str,
    chunk_rows: int = CHUNK_ROWS,
    base_url: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Render a long table: ``template_name`` is rendered once per chunk of ``rows`` with
    ``rows``, ``first_chunk``, ``last_chunk`` and ``page_numbers`` (False when the pages are
    stamped afterwards) added to ``context``; ``page_numbers_template`` gets ``pages`` (a
    range, one per page) and prints only the page numbers. ``progress(rows, total)`` is told
    the rows printed so far as each chunk is ready (the call-log task shows it)."""
    folder = base_url or static_dir()
    chunk_rows = balanced_chunk_rows(len(rows), chunk_rows, pdf_workers())
    chunks = [rows[i : i + chunk_rows] for i in range(0, len(rows), chunk_rows)] or [rows]
    single = len(chunks) == 1
    htmls = [
        render_to_string(
            template_name,
            {
                **context,
                "rows": chunk,
                "first_chunk": n == 0,
                "last_chunk": n == len(chunks) - 1,
                "page_numbers": single,
            },
        )
        for n, chunk in enumerate(chunks)
    ]
    sizes = [len(chunk) for chunk in chunks]
    pdfs = _pdfs_from_htmls(
        htmls,
        folder,
        (lambda n: progress(sum(sizes[:n]), len(rows))) if progress else None,
    )
    if single:
        return pdfs[0]
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    page_count = len(writer.pages)
    stamp = PdfReader(
        io.BytesIO(
            render_pdf(
                page_numbers_template, {**context, "pages": range(page_count)}, base_url=folder
            )
        )
    )
    if len(stamp.pages) != page_count:  # a template error, not a user error
        raise RuntimeError(f"Page-number stamp has {len(stamp.pages)} pages, not {page_count}")
    for page, numbers in zip(writer.pages, stamp.pages, strict=True):
        page.merge_page(numbers)
        # Merging leaves the page's content uncompressed: ~13x the size without this.
        page.compress_content_streams()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def html_documents_to_pdfs(htmls: list[str], *, base_url: Path | None = None) -> list[bytes]:
    """Several complete HTML documents (already rendered by our templates) to PDFs, in order,
    side by side in the ``PDF_WORKERS`` processes (decision 2): the client statements of a
    month-end pack are many small documents."""
    return _pdfs_from_htmls(htmls, base_url or static_dir())
