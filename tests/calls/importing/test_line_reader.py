"""Reading a CDR file's bytes as text lines: per-line encoding, line endings, BOM, NULs."""

import io

import pytest

from calls.importing.files import LineReader, decode_line


def lines_of(data: bytes) -> list[str]:
    return list(LineReader(io.BytesIO(data)))


def test_a_cp1252_line_in_a_utf8_file_keeps_its_accents_and_so_do_the_others():
    data = "Niccolò,1\n".encode() + "Niccolò,2\n".encode("cp1252") + "Città,3\n".encode()
    assert lines_of(data) == ["Niccolò,1\n", "Niccolò,2\n", "Città,3\n"]


def test_bytes_cp1252_leaves_undefined_are_kept_as_latin1():
    assert decode_line(b"a\x81b\x9dc\xe9") == "a\x81b\x9dcé"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"a\r\nb\r\n", ["a\r\n", "b\r\n"]),
        (b"a\nb", ["a\n", "b"]),
        (b"a\rb\rc", ["a\r", "b\r", "c"]),
        (b"\xef\xbb\xbfa\nb\n", ["a\n", "b\n"]),
        (b"a\x00b\n\x00\x00\x00", ["a\x00b\n", "\x00\x00\x00"]),
        (b"a\x0cb\n", ["a\x0cb\n"]),  # a form feed is no line break for csv
        (b"", []),
    ],
)
def test_lines_end_where_csv_ends_them(data, expected):
    assert lines_of(data) == expected


def test_lines_across_chunk_boundaries_are_whole_and_bytes_are_counted(monkeypatch):
    monkeypatch.setattr("calls.importing.files._CHUNK_BYTES", 7)
    data = "riga uno\r\nseconda è qui\nterza".encode() + "\nNiccolò\n".encode("cp1252")
    reader = LineReader(io.BytesIO(data))
    assert list(reader) == ["riga uno\r\n", "seconda è qui\n", "terza\n", "Niccolò\n"]
    assert reader.count == len(data)
