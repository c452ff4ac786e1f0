"""The official FatturaPA 1.2.2 schema (tests/fixtures/fatturapa/, see SOURCE.md), loaded
with its signature schema from the local copy: validation never reaches the network."""

from functools import cache
from pathlib import Path

from lxml import etree

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "fatturapa"
XS = "{http://www.w3.org/2001/XMLSchema}"
NS = {"p": "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"}


@cache
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    tree = etree.parse(str(FOLDER / "Schema_del_file_xml_FatturaPA_v1.2.2.xsd"), parser)
    for element in tree.getroot().iter(f"{XS}import"):
        element.set("schemaLocation", (FOLDER / "xmldsig-core-schema.xsd").as_uri())
    return etree.XMLSchema(tree)


def validated(content: bytes) -> etree._Element:
    """The parsed invoice, after checking it against the schema (AssertionError with the
    schema's messages when it does not validate)."""
    root = etree.fromstring(content, etree.XMLParser(no_network=True, resolve_entities=False))
    checker = schema()
    assert checker.validate(root), "\n".join(str(error) for error in checker.error_log)
    return root


def text(root, path: str) -> str:
    """The text of the one element at ``path`` (unqualified names below the root)."""
    found = root.findall(path)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0].text
