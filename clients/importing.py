"""Reading a client list (CSV or XLSX) into rows to save, or errors naming line and field.

Header names are matched loosely, in Italian or English (`Codice`, `Ragione sociale`,
`Partita IVA`, `code`, `name`, `vat number`…), so a firm can export from its accounting
software as it is. Nothing here writes to the database: see clients.services.clients_import.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from firm.lib.fiscal import postal_code_ok, province_ok, sdi_code_ok, tax_code_ok, vat_number_ok
from firm.lib.money import parse_euro

HEADER_ALIASES = {
    "code": {"code", "codice", "cod", "codice cliente", "client code", "codice_cliente"},
    "name": {"name", "nome", "ragione sociale", "denominazione", "cliente", "client"},
    "tax_code": {"tax code", "codice fiscale", "cf", "c.f.", "tax_code", "codice_fiscale"},
    "vat_number": {"vat", "vat number", "partita iva", "p.iva", "piva", "p. iva", "vat_number"},
    "street": {"street", "address", "indirizzo", "via"},
    "postal_code": {"postal code", "cap", "zip", "postal_code"},
    "city": {"city", "comune", "città", "citta", "località", "localita"},
    "province": {"province", "provincia", "prov", "prov."},
    "country": {"country", "nazione", "paese"},
    "sdi_code": {
        "sdi",
        "sdi code",
        "sdi_code",
        "codice sdi",
        "codice destinatario",
        "codice univoco",
    },
    "pec": {"pec", "email pec", "indirizzo pec"},
    "withholding_agent": {
        "withholding agent",
        "withholding_agent",
        "sostituto d'imposta",
        "sostituto dimposta",
        "sostituto",
        "ritenuta",
    },
    "notes": {"notes", "note", "annotazioni"},
    "is_active": {"active", "attivo", "is_active"},
    "hourly_rate": {
        "hourly rate",
        "rate",
        "hourly_rate",
        "tariffa",
        "tariffa oraria",
        "tariffa oraria (€)",
        "hourly rate (€)",
        "€/h",
        "euro/ora",
    },
}
TRUE_WORDS = {"1", "true", "yes", "si", "sì", "y", "s", "x", "vero"}
FALSE_WORDS = {"0", "false", "no", "n", "falso"}
CODE_PATTERN = re.compile(r"^[0-9]{1,10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Columns read from an XLSX sheet (a list has a dozen at most).
XLSX_MAX_COLUMNS = 100


@dataclass(frozen=True)
class ClientRow:
    line: int
    code: str
    name: str
    tax_code: str = ""
    vat_number: str = ""
    notes: str = ""
    is_active: bool = True
    # Only when the file has a rate column: then an empty cell means "no rate".
    has_rate: bool = False
    hourly_rate: Decimal | None = None
    # The address and invoicing fields, written only when the file has their column
    # (``present``), so a list without them leaves what admin holds alone.
    street: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = "IT"
    sdi_code: str = ""
    pec: str = ""
    withholding_agent: bool = False
    present: frozenset[str] = frozenset()


# The optional fiscal fields of a client list (see ClientRow.present).
FISCAL_FIELDS = (
    "street",
    "postal_code",
    "city",
    "province",
    "country",
    "sdi_code",
    "pec",
    "withholding_agent",
)


# The columns as a reader names them in messages ("campo codice", not "campo code").
FIELD_LABELS = {
    "code": gettext_lazy("code"),
    "name": gettext_lazy("name"),
    "tax_code": gettext_lazy("tax code"),
    "vat_number": gettext_lazy("VAT number"),
    "notes": gettext_lazy("notes"),
    "is_active": gettext_lazy("active"),
    "hourly_rate": gettext_lazy("hourly rate"),
    "street": gettext_lazy("street and number"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "province": gettext_lazy("province"),
    "country": gettext_lazy("country"),
    "sdi_code": gettext_lazy("codice destinatario"),
    "pec": gettext_lazy("PEC"),
    "withholding_agent": gettext_lazy("withholding agent"),
}


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self):
        return _("line %(line)s, field %(field)s: %(message)s") % {
            "line": self.line,
            "field": field_label(self.field) if self.field else "-",
            "message": self.message,
        }


class ClientListError(ValueError):
    """The file as a whole cannot be read as a client list."""


def _field_for(header: str, aliases: dict[str, set[str]]) -> str | None:
    """The field a column's header names (any case, spaces or underscores), or None."""
    cleaned = " ".join(str(header or "").strip().lower().replace("_", " ").split())
    for field, names in aliases.items():
        if cleaned in names or cleaned.replace(" ", "_") in names:
            return field
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store 123 as 123.0
    return str(value).strip()


def rows_from_table(table: list[list], *, first_line: int = 1) -> Iterator[ClientRow | RowError]:
    """Turn a header row plus data rows into ClientRow or RowError, one per non-empty row."""
    return _rows(CLIENT_LIST, table, first_line)


def _records(kind: "ListKind", table: list[list], first_line: int):
    """The non-empty data rows of a table whose first row names the columns, as
    ``(line, {field: text})``; columns whose header names no field of the kind are not read."""
    if not table:
        raise ClientListError(_("The file is empty."))
    columns = [_field_for(header, kind.aliases) for header in table[0]]
    missing = [kind.label(field) for field in kind.required if field not in columns]
    if missing:
        raise ClientListError(
            _("The first row must name the columns; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    for offset, values in enumerate(table[1:], start=1):
        record = {
            field: _cell(value)
            for field, value in zip(columns, values, strict=False)
            if field is not None
        }
        if any(record.values()):
            yield first_line + offset, record


def _fiscal_fields(line: int, record: dict) -> dict | RowError:
    """The client's fiscal identity and address from a row, checked (P.IVA check digit,
    codice fiscale, CAP, province, codice destinatario, PEC) as Italian ones when the
    country is IT; the first problem as a RowError naming its field."""
    country = (record.get("country", "") or "IT").upper()
    values = {
        "tax_code": record.get("tax_code", "").upper(),
        "vat_number": record.get("vat_number", ""),
        "street": record.get("street", "")[:60],
        "postal_code": record.get("postal_code", ""),
        "city": record.get("city", "")[:60],
        "province": record.get("province", "").upper(),
        "country": country,
        "sdi_code": record.get("sdi_code", "").upper(),
        "pec": record.get("pec", ""),
    }
    checks = {
        "vat_number": (
            vat_number_ok,
            _("'%(value)s' is not a partita IVA (11 digits, check digit)."),
        ),
        "tax_code": (tax_code_ok, _("'%(value)s' is not a codice fiscale.")),
        "postal_code": (postal_code_ok, _("'%(value)s' is not a CAP (5 digits).")),
        "province": (province_ok, _("'%(value)s' is not an Italian province (e.g. MI).")),
    }
    if len(country) != 2 or not country.isalpha():
        return RowError(
            line, "country", _("'%(value)s' is not a country code (e.g. IT).") % {"value": country}
        )
    if country == "IT":
        for field, (check, message) in checks.items():
            if values[field] and not check(values[field]):
                return RowError(line, field, message % {"value": values[field]})
    if values["sdi_code"] and not sdi_code_ok(values["sdi_code"]):
        return RowError(
            line,
            "sdi_code",
            _("'%(value)s' is not a codice destinatario (7 letters or digits).")
            % {"value": values["sdi_code"]},
        )
    if values["pec"] and not EMAIL.match(values["pec"]):
        return RowError(
            line, "pec", _("'%(value)s' is not an e-mail address.") % {"value": values["pec"]}
        )
    if len(values["postal_code"]) > 5 or len(values["province"]) > 2:
        field = "postal_code" if len(values["postal_code"]) > 5 else "province"
        return RowError(line, field, _("'%(value)s' is too long.") % {"value": values[field]})
    agent_word = record.get("withholding_agent", "").lower()
    if agent_word and agent_word not in TRUE_WORDS | FALSE_WORDS:
        return RowError(
            line,
            "withholding_agent",
            _("'%(value)s' is not yes or no.") % {"value": record["withholding_agent"]},
        )
    values["vat_number"] = values["vat_number"][:20]
    values["tax_code"] = values["tax_code"][:16]
    values["withholding_agent"] = agent_word in TRUE_WORDS
    values["present"] = frozenset(field for field in FISCAL_FIELDS if field in record)
    return values


def read_client_list(data: bytes, filename: str) -> Iterator[ClientRow | RowError]:
    """Read an uploaded CSV or XLSX client list."""
    return rows_from_table(_table(data, filename))


def _table(data: bytes, filename: str) -> list[list]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_table(data)
    return _csv_table(data)


# --- Matter lists --------------------------------------------------------------------------

MATTER_HEADER_ALIASES = {
    "code": {"codice pratica", "matter code", "pratica", "matter", "codice_pratica"},
    "client_code": {"codice cliente", "client code", "cliente", "client", "codice_cliente"},
    "name": {"descrizione", "description", "nome", "name", "oggetto"},
    "hourly_rate": HEADER_ALIASES["hourly_rate"],
    "is_active": {"attiva", "active", "attivo", "is_active"},
}
# How a column is called in messages: its header in the reader's language.
MATTER_FIELD_NAMES = {
    "code": gettext_lazy("Matter code"),
    "client_code": gettext_lazy("Client code"),
    "name": gettext_lazy("Description"),
    "hourly_rate": pgettext_lazy("matter list column", "Hourly rate"),
    "is_active": pgettext_lazy("matter list column", "Active"),
}


@dataclass(frozen=True)
class MatterRow:
    line: int
    code: str
    client_code: str
    name: str
    is_active: bool = True
    has_rate: bool = False  # as ClientRow: only a file with a rate column writes rates
    hourly_rate: Decimal | None = None


def matter_rows_from_table(
    table: list[list], *, first_line: int = 1
) -> Iterator[MatterRow | RowError]:
    """A header row plus data rows → MatterRow or RowError (line and column), one per
    non-empty row. Whether the client exists, or the code is taken, is the service's
    question (clients.services.matters_import)."""
    return _rows(MATTER_LIST, table, first_line)


def read_matter_list(data: bytes, filename: str) -> Iterator[MatterRow | RowError]:
    """Read an uploaded CSV or XLSX list of matters (``Codice pratica``, ``Codice cliente``,
    ``Descrizione``, ``Tariffa oraria``, ``Attiva``, or the English names)."""
    return matter_rows_from_table(_table(data, filename))


# --- One path for both lists --------------------------------------------------------------


@dataclass(frozen=True)
class ListKind:
    """What tells a client list from a matter list; the rest of reading them is one path."""

    aliases: dict[str, set[str]]
    required: tuple[str, ...]
    labels: dict[str, Promise]  # the columns as the reader calls them, in messages
    # A rejected row names its column by field (RowError shows the label: client lists) or
    # by the label itself (matter lists, whose labels are the headers in the reader's language).
    by_label: bool
    not_a_code: Promise  # the row's own code is not 1 to 10 digits
    no_name: Promise
    also_codes: tuple[str, ...]  # other client codes the row names (a matter's client)
    make_row: Callable[..., ClientRow | MatterRow]  # the checked values + the record → a row

    def column(self, field: str):
        return self.labels[field] if self.by_label else field

    def label(self, field: str) -> str:
        return str(self.labels[field])


def _rows(kind: ListKind, table: list[list], first_line: int) -> Iterator[ClientRow | RowError]:
    seen: dict[str, int] = {}
    for line, record in _records(kind, table, first_line):
        yield _row(kind, line, record, seen)


def _row(kind: ListKind, line: int, record: dict, seen: dict[str, int]):
    column = kind.column
    code, name = record.get("code", ""), record.get("name", "")
    if not CODE_PATTERN.match(code):
        return RowError(line, column("code"), kind.not_a_code % {"value": code})
    if code in seen:
        return RowError(
            line,
            column("code"),
            _("code %(code)s is already on line %(other)s.") % {"code": code, "other": seen[code]},
        )
    for field in kind.also_codes:
        value = record.get(field, "")
        if not CODE_PATTERN.match(value):
            return RowError(line, column(field), NOT_A_CLIENT_CODE % {"value": value})
    if not name:
        return RowError(line, column("name"), str(kind.no_name))
    active_word = record.get("is_active", "").lower()
    if active_word and active_word not in TRUE_WORDS | FALSE_WORDS:
        return RowError(
            line,
            column("is_active"),
            _("'%(value)s' is not yes or no.") % {"value": record["is_active"]},
        )
    try:
        hourly_rate = parse_euro(record.get("hourly_rate", ""))
    except ValueError:
        return RowError(
            line,
            column("hourly_rate"),
            _("'%(value)s' is not an hourly rate in euro (e.g. 150 or 150,00).")
            % {"value": record["hourly_rate"]},
        )
    seen[code] = line
    return kind.make_row(
        record,
        line=line,
        code=code,
        name=name[:200],
        is_active=active_word not in FALSE_WORDS if active_word else True,
        has_rate="hourly_rate" in record,
        hourly_rate=hourly_rate,
    )


def _client_row(record: dict, **checked) -> ClientRow | RowError:
    """A client row from the checked values and its fiscal identity, or the fiscal field's
    problem (``_fiscal_fields``)."""
    fiscal = _fiscal_fields(checked["line"], record)
    if isinstance(fiscal, RowError):
        return fiscal
    return ClientRow(**checked, **fiscal, notes=record.get("notes", ""))


NOT_A_CLIENT_CODE = gettext_lazy("'%(value)s' is not a client code (1 to 10 digits).")
CLIENT_LIST = ListKind(
    aliases=HEADER_ALIASES,
    required=("code", "name"),
    labels=FIELD_LABELS,
    by_label=False,
    not_a_code=NOT_A_CLIENT_CODE,
    no_name=gettext_lazy("the name is empty."),
    also_codes=(),
    make_row=_client_row,
)
MATTER_LIST = ListKind(
    aliases=MATTER_HEADER_ALIASES,
    required=("code", "client_code", "name"),
    labels=MATTER_FIELD_NAMES,
    by_label=True,
    not_a_code=gettext_lazy("'%(value)s' is not a matter code (1 to 10 digits)."),
    no_name=gettext_lazy("the description is empty."),
    also_codes=("client_code",),
    make_row=lambda record, **checked: MatterRow(
        **checked, client_code=record.get("client_code", "")
    ),
)


def _csv_table(data: bytes) -> list[list]:
    if b"\x00" in data[:4096]:
        raise ClientListError(_("This is not a text CSV file."))
    if (nul := data.find(b"\x00")) >= 0:  # csv refuses NUL: say where, import nothing
        raise ClientListError(
            _(
                "line %(line)s holds a NUL character (byte 0): the file is damaged or not a "
                "text CSV file. Nothing was imported."
            )
            % {"line": data.count(b"\n", 0, nul) + 1}
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # Italian Excel saves Windows-1252
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)  # Italian Excel uses ';'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as error:
        raise ClientListError(
            _("line %(line)s cannot be read (%(error)s). Nothing was imported.")
            % {"line": reader.line_num, "error": error}
        ) from None


def _xlsx_table(data: bytes) -> list[list]:
    """The first sheet's rows, once the file is known to be small enough to read: a few MB
    of XLSX may hold hundreds of MB of XML (a "zip bomb"), which would keep a web worker busy
    for minutes. The members' uncompressed sizes are checked before parsing (``zipfile``
    never inflates a member beyond its declared size), and the rows are counted while they
    are read."""
    from openpyxl import load_workbook

    max_bytes, max_rows = settings.XLSX_MAX_UNCOMPRESSED_BYTES, settings.XLSX_MAX_ROWS
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            uncompressed = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ClientListError(
            _("This is not a readable XLSX file (%(error)s).") % {"error": error}
        ) from None
    if uncompressed > max_bytes:
        raise ClientListError(
            _(
                "This XLSX file holds %(size)s MB once uncompressed, more than the %(limit)s MB "
                "a list may hold. Nothing was imported: split it, or save it as CSV."
            )
            % {"size": _megabytes(uncompressed), "limit": _megabytes(max_bytes)}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read every row, whatever range the file claims
        table = []
        # A list needs a few columns: a cell far to the right must not make every row long.
        for row in sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS):
            if len(table) > max_rows:  # the header row and max_rows rows
                raise ClientListError(
                    _(
                        "This XLSX file has more than %(limit)s rows. Nothing was imported: "
                        "split it into smaller lists."
                    )
                    % {"limit": max_rows}
                )
            table.append(_without_trailing_blanks(row))
    except ClientListError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a bad file
        raise ClientListError(
            _("This is not a readable XLSX file (%(error)s).") % {"error": error}
        ) from None
    return table


def _without_trailing_blanks(row: tuple) -> list:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return list(row[:end])


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f}"
