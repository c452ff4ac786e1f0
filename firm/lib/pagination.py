"""Pages of a fixed size, whatever the URL asks.

django-tables2 passes ``?per_page=`` from the query string straight to the paginator, so
``per_page=200000`` rendered 200,000 rows (28 s, 54 MB of HTML) and ``per_page=10**20`` a
database error. Our lists have one page size, the view's: the paginator ignores the number it
is given, and refuses page numbers beyond ``max_page`` (an OFFSET past the database's integers
is an error), which tables2 answers with a valid page.
"""

from django.core.paginator import EmptyPage, Paginator
from django_tables2 import LazyPaginator

PAGE_SIZE = 50


class FixedPageSize:
    """Paginator mixin: every page holds ``page_size`` rows; ``per_page`` is ignored."""

    page_size = PAGE_SIZE
    max_page = 1_000_000

    def __init__(self, object_list, per_page=None, *args, **kwargs):
        super().__init__(object_list, self.page_size, *args, **kwargs)

    def validate_number(self, number):
        number = super().validate_number(number)
        if number > self.max_page:
            raise EmptyPage("That page number is too large")
        return number


class FixedPaginator(FixedPageSize, Paginator):
    """A counted paginator of ``page_size`` rows (small lists)."""


class FixedLazyPaginator(FixedPageSize, LazyPaginator):
    """tables2's ``LazyPaginator`` (no COUNT of millions of rows) of ``page_size`` rows."""
