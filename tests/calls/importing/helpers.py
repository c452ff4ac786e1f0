"""Helpers for the import tests: 3CX lines made to measure, the shared samples, running the
command and reading its exit code."""

import time
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

EXIT_REJECTED = 3


def threecx_line(
    history_id: int,
    *,
    start: str = "2026/05/04 09:00:00",
    caller: str = "Ext.114",
    to: str = "3454565678",
    to_dn: str = "10001",
    dial: str | None = None,
    bill_code: str = "",
    duration: str = "00:01:00",
    answered: str | None = None,
    end: str = "2026/05/04 09:01:05",
    reason: str = "TerminatedBySrc",
    types: tuple[str, str, str] = ("Internal", "External", "External"),
) -> str:
    """One line in 3CX's default 27-field order."""
    answered = start if answered is None and duration else (answered or "")
    from_dn = caller.removeprefix("Ext.")
    fields = [
        f"Call {history_id}",
        f"0000017{history_id:09X}_1",
        duration,
        start,
        answered,
        end,
        reason,
        caller,
        to,
        from_dn,
        to_dn,
        dial if dial is not None else to,
        "",
        to,
        to_dn,
        bill_code,
        "",
        "",
        "",
        f"Chain: {caller};{to};",
        *types,
        "from disp",
        "to disp",
        "fin disp",
        "",
    ]
    return ",".join(fields) + "\n"


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("".join(lines), encoding=encoding, newline="")
    return path


def run_import(*args) -> tuple[int, str, str]:
    """Run import_cdr; returns (exit code, stdout, stderr) like the shell would see."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_cdr", *[str(a) for a in args], stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def wait_for(condition, seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
