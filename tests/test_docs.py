"""The docs stay a short front door and a manual that holds together.

README.md stays short (the two commands at the top, then a map of docs/); every relative link in
README.md, docs/*.md and bench/README.md points at a file that exists and, with a #fragment, at a
heading that exists; no doc names an issue number ("(#12)", "#12"): docs describe the app as it
is, not the history of how it got there.
"""

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_MAX_LINES = 200

FENCE = re.compile(r"^ {0,3}(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# [text](target) and ![alt](target); the target ends at a space (an optional "title") or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
ISSUE_NUMBER = re.compile(r"(?<![\w&/#])#\d+\b")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, with inline code spans blanked out."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        lines.append((number, re.sub(r"`[^`]*`", "``", line)))
    return lines


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = "".join(ch for ch in text.lower() if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, line in prose_lines_keeping_code(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        slug = anchor(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def prose_lines_keeping_code(text: str) -> list[tuple[int, str]]:
    """Lines outside fenced code blocks, inline code kept (a heading's anchor includes it)."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            if EXTERNAL.match(target):
                continue
            file_part, _, fragment = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(root)}:{number}: {target}"
            if not linked.exists():
                problems.append(f"{where}: no such file")
            elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
                problems.append(f"{where}: no heading with that anchor")
    return problems


def issue_numbers(path: Path, root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{number}: {match.group(0)}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in ISSUE_NUMBER.finditer(line)
    ]


def test_readme_is_a_short_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines, more than {README_MAX_LINES}: move detail to docs/"
    )


def test_readme_starts_with_the_two_commands():
    """A newcomer runs the app with one command and the tests with another (.ci/run runs it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_sections = text.split("\n## ", 1)[0]
    assert "    make run\n" in first_sections
    assert "    make test\n" in first_sections
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_at_files_and_headings_that_exist(path):
    assert path.exists()
    assert broken_links(path) == []


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_name_no_issue_numbers(path):
    assert issue_numbers(path) == []


def test_every_docs_page_says_who_it_is_for():
    for path in sorted((ROOT / "docs").glob("*.md")):
        opening = path.read_text(encoding="utf-8").split("\n\n")[1]
        assert opening.startswith(("**For**", "**Per chi è:**")), path.name


# The checks themselves must be able to fail.


def test_a_missing_file_or_heading_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Other page\n\n## Matters (pratiche)\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Page\n\n"
        "[ok](other.md#matters-pratiche) [ok too](#page) [web](https://example.com/x.md)\n"
        "[gone](missing.md) [bad anchor](other.md#matters) ![img](img/none.png)\n"
        "```\n[in code](nowhere.md)\n```\n"
    )
    assert broken_links(page, tmp_path) == [
        "docs/page.md:4: missing.md: no such file",
        "docs/page.md:4: other.md#matters: no heading with that anchor",
        "docs/page.md:4: img/none.png: no such file",
    ]


def test_issue_numbers_are_reported(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "Statements (#5) by matter, see #15.\n"
        "Not these: `[a](#matters)`, &#39;, a link to docs/x.md#12, HTML #section.\n"
    )
    assert issue_numbers(page, tmp_path) == ["page.md:1: #5", "page.md:1: #15"]


def test_anchors_follow_github():
    assert anchor("Matters (pratiche)") == "matters-pratiche"
    assert anchor("Importing call records") == "importing-call-records"
    assert anchor("Why the `start` index") == "why-the-start-index"
    assert anchor("Accesso e ruoli") == "accesso-e-ruoli"
    assert anchor("Periodi chiusi (soci)") == "periodi-chiusi-soci"
    assert anchor("E-mail: the daily reminder") == "e-mail-the-daily-reminder"
