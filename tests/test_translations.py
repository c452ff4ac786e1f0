"""The UI speaks Italian first: the catalogue is complete, compiled, and used by default."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "it" / "LC_MESSAGES"


def _po_entries():
    """(msgid, msgstr, flags) for every entry of the Italian .po file except the header."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        parts = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgstr|msgid_plural|msgstr\[\d\]) (".*")$', line)
            if match:
                key = match.group(1)
                parts[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            entries.append((parts["msgid"], parts.get("msgstr", parts.get("msgstr[0]", "")), flags))
    return entries


def test_every_ui_string_has_an_italian_translation():
    entries = _po_entries()
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"translate these in locale/it: {untranslated}"
    assert not fuzzy, f"check these fuzzy translations: {fuzzy}"


def test_the_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [msgid for msgid, msgstr, _ in _po_entries() if catalogue.gettext(msgid) != msgstr]
    assert not stale, f"run `make messages` to recompile: {stale[:5]}"


@pytest.mark.django_db
def test_pages_are_italian_by_default_and_english_on_request(client):
    italian = client.get(reverse("login"))
    assert "Accedi" in italian.content.decode()
    english = client.get(reverse("login"), headers={"accept-language": "en"})
    assert "Log in" in english.content.decode()
