"""The UI speaks Italian first: the catalogue is complete, compiled, and used by default."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "it" / "LC_MESSAGES"
# Hand-kept corrections to Django's own strings, which makemessages would drop from LOCALE.
CORRECTIONS = ROOT / "locale_django" / "it" / "LC_MESSAGES"
CATALOGUES = pytest.mark.parametrize(
    "folder", [LOCALE, CORRECTIONS], ids=["locale", "locale_django"]
)


def _po_entries(folder=LOCALE):
    """(msgid, msgstr, flags) for every entry of an Italian .po file except the header."""
    text = (folder / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        parts = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgstr|msgid_plural|msgstr\[\d\]) (".*")$', line)
            if match:
                key = match.group(1)
                parts[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            # A message with a context is stored as "context\x04msgid" (pgettext).
            msgid = (
                f"{parts['msgctxt']}\x04{parts['msgid']}" if "msgctxt" in parts else parts["msgid"]
            )
            entries.append((msgid, parts.get("msgstr", parts.get("msgstr[0]", "")), flags))
    return entries


@CATALOGUES
def test_every_ui_string_has_an_italian_translation(folder):
    entries = _po_entries(folder)
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"translate these in locale/it: {untranslated}"
    assert not fuzzy, f"check these fuzzy translations: {fuzzy}"


@CATALOGUES
def test_the_compiled_catalogue_matches_the_po_file(folder):
    with open(folder / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        msgid for msgid, msgstr, _ in _po_entries(folder) if catalogue.gettext(msgid) != msgstr
    ]
    assert not stale, f"run `make messages` to recompile: {stale[:5]}"


def test_the_corrections_to_djangos_strings_come_after_the_projects_catalogue(settings):
    # makemessages writes to the first path; both precede the apps' and Django's catalogues.
    assert [Path(path) for path in settings.LOCALE_PATHS] == [
        LOCALE.parents[1],
        CORRECTIONS.parents[1],
    ]


@pytest.mark.django_db
def test_pages_are_italian_by_default_and_english_on_request(client):
    italian = client.get(reverse("login"))
    assert "Accedi" in italian.content.decode()
    english = client.get(reverse("login"), headers={"accept-language": "en"})
    assert "Log in" in english.content.decode()
