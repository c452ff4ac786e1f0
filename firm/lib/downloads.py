"""File downloads: an attachment header, and an XLSX workbook sent from a temporary file."""

import tempfile

from django.http import FileResponse
from django.utils.http import content_disposition_header

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_BLOCK_SIZE = 64 * 1024


def attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(write, *, filename: str) -> FileResponse:
    """An XLSX attachment: ``write(file)`` saves the workbook into a temporary file, which is
    then sent in chunks (calls.exports, decision 7)."""
    workbook_file = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write(workbook_file)
        workbook_file.seek(0)
    except BaseException:
        workbook_file.close()
        raise
    response = FileResponse(workbook_file, content_type=XLSX_CONTENT_TYPE)
    response.block_size = FILE_BLOCK_SIZE
    # FileResponse names only files with a path; set the attachment header ourselves.
    return attachment(response, filename)
