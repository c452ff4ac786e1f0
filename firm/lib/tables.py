"""What the apps' tables (django-tables2) share: rows that become cards on phones."""

from django.utils.html import strip_tags


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
