"""What the apps' tables (django-tables2) share: rows that become cards on phones, and rows
written at once (``WrittenRows``) for the long tables."""

import html
from operator import attrgetter, methodcaller

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import localize
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django_tables2.utils import signature


class CardRows:
    """A table whose rows become labelled cards on phones (``.cards`` in static/css/app.css):
    each ``<td>`` carries ``data-label``, its column's header, which the CSS writes before the
    cell. Put first among the bases: ``class CallTable(CardRows, tables.Table)``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.columns:
            column = bound.column  # the table's own copy of the class's column
            label = strip_tags(str(bound.header)).strip()
            td = {**column.attrs.get("td", {}), "data-label": label}
            column.attrs = {**column.attrs, "td": td}


# tables2's table template with the rows written by ``WrittenRows.page_body``.
WRITTEN_ROWS_TEMPLATE = "firm/_table_written_rows.html"


class WrittenRows:
    """A table whose rows are written by ``page_body`` as tables2's own row template writes
    them (tests compare the two: tests/calls/test_call_table.py and
    tests/clients/test_client_summary_table.py), faster: per cell, tables2 works out the
    column's attributes and its render method's signature again, and the template engine
    resolves ``row.items``. Here that is done once per column (``ColumnCells``); each cell is
    then localised and escaped as ``{{ cell }}`` does. Set ``template_name`` in the table's
    Meta to ``WRITTEN_ROWS_TEMPLATE``."""

    def page_body(self) -> SafeString:
        columns = [ColumnCells(self, column) for column in self.columns]
        rows = []
        for row in self.paginated_rows:
            cells = "".join(
                f"<td {column.td}>{escaped(localize(column.cell(row)))}</td>" for column in columns
            )
            rows.append(f"<tr {row.attrs.as_html()}>{cells}</tr>")
        return mark_safe("\n".join(rows))  # noqa: S308 - every cell and attribute is escaped


def escaped(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper, which costs a page of the
    call log more than the escaping itself: markup as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class ColumnCells:
    """One column's cells as ``BoundRow.get_cell`` renders them (a model field's choices
    shown by ``get_<field>_display``, empty values as the column's default, ``render_<col>``
    given the arguments it names), with what depends on the column alone worked out once:
    how a row's value is read (one attribute, a display method, or tables2's accessor) and
    how the render method is called (with the value and the record alone, as most render
    methods take them, without building tables2's six arguments for each cell)."""

    def __init__(self, table: tables.Table, bound_column):
        self.table, self.bound_column, self.column = table, bound_column, bound_column.column
        self.td = bound_column.attrs["td"].as_html()
        self.accessor = tables.A(bound_column.accessor)
        try:
            model = table._meta.model
            field = model._meta.get_field(str(self.accessor)) if model else None
        except FieldDoesNotExist:
            field = None
        if field and field.choices:
            # get_<field>_display, with the choices' labels translated once a page.
            labels = {value: str(label) for value, label in field.flatchoices}
            display = methodcaller(f"get_{field.name}_display")
            self.value = lambda record: (
                labels.get(getattr(record, field.attname)) or display(record)
            )
        elif field is not None:
            self.value = attrgetter(field.name)
        else:
            self.value = self.accessor.resolve
        self.empty_values = self.column.empty_values
        self.default = bound_column.default
        self.render = bound_column.render
        self.arguments, self.takes_all = signature(self.render)
        self.simple = not self.takes_all and set(self.arguments) <= {"value", "record"}

    def cell(self, row):
        record = row.record
        value = self.value(record)
        if value in self.empty_values:
            return self.default
        if self.simple:
            given = {"value": value, "record": record}
            return self.render(**{name: given[name] for name in self.arguments})
        given = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": self.table,
        }
        if self.takes_all:
            return self.render(**given)
        if any(name not in given for name in self.arguments):
            return None  # as tables2 does
        return self.render(**{name: given[name] for name in self.arguments})
