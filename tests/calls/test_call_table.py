"""The call log's table: its rows (CallTable.page_body) are exactly what tables2's own row
template writes, only faster."""

import re
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory
from django.utils import translation

from calls.models import Call
from calls.tables import CallTable, PageIdsFirst
from calls.views import CallLogPaginator
from tests.factories import make_call, make_client, make_trunk

pytestmark = pytest.mark.django_db


def tbody(table: CallTable, template_name: str) -> str:
    table.template_name = template_name
    table.paginate(paginator_class=CallLogPaginator, per_page=50, page=1)
    with translation.override("en"):
        html = table.as_html(RequestFactory().get("/calls/"))
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.DOTALL).group(1)
    return re.sub(r">\s+<", "><", body.strip())


def both(queryset, **kwargs) -> tuple[str, str]:
    ours = tbody(CallTable(queryset, **kwargs), "firm/_table_written_rows.html")
    theirs = tbody(CallTable(queryset, **kwargs), "django_tables2/table.html")
    return ours, theirs


def test_the_rows_are_those_of_the_tables2_template_cell_for_cell():
    client = make_client(code="123", name="Affaroni & Figli")
    trunk = make_trunk("9", "Gateway <cellulare>")
    start = datetime(2026, 5, 4, 7, 5, tzinfo=UTC)
    make_call(
        start=start,
        caller_name="Maria <b>Bianchi</b>",
        destination="3454565678**123",
        billing_code="123",
        client=client,
        trunk=trunk,
        talk_seconds=3725,
        ring_seconds=7,
        cost="0.1250",
    )
    make_call(destination="3454565678**777", billing_code="777", status=Call.Status.BUSY)
    make_call(destination="0212345", client=client, client_set_by_hand=True)
    make_call(destination="<script>x</script>", talk_seconds=0, ring_seconds=0, cost="0")
    make_call(caller="", destination="", direction=Call.Direction.INBOUND, status="no_answer")
    ours, theirs = both(Call.objects.select_related("client", "trunk"))
    assert ours == theirs
    assert ours.count("<tr ") == 5
    assert ours.count("class='by-hand'") == 1
    for text in ("Affaroni &amp; Figli", "unknown code 777", "&lt;script&gt;", "1:02:05", "Busy"):
        assert text in ours, text


def test_an_empty_page_says_so_as_tables2_does():
    ours, theirs = both(Call.objects.all())
    assert ours == theirs
    assert "No call matches this filter." in ours


def test_sorted_pages_keep_the_even_and_odd_rows():
    for i in range(3):
        make_call(talk_seconds=i)
    ours, theirs = both(Call.objects.all(), order_by="-talk_seconds")
    assert ours == theirs
    assert re.findall(r'<tr class="(\w+)"', ours) == ["even", "odd", "even"]


@pytest.mark.parametrize(
    "sort", ["-start", "start", "-talk_seconds", "client", "-client", "trunk", "caller"]
)
def test_pages_read_ids_first_are_the_pages_of_the_queryset(sort, django_assert_num_queries):
    # calls.tables.PageIdsFirst: the page's ids sorted without the joins, then the calls.
    clients = [make_client(code=str(code), name=name) for code, name in ((1, "B"), (2, "A"))]
    trunk = make_trunk("9", "Gateway")
    start = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    for n in range(23):
        make_call(
            start=start.replace(minute=n % 7),  # ties: the sort's later keys decide
            talk_seconds=(n * 37) % 11,
            caller=str(110 + n % 3),
            client=clients[n % 3] if n % 3 < 2 else None,
            trunk=trunk if n % 2 else None,
        )
    queryset = Call.objects.select_related("client", "trunk")

    class TenPerPage(CallLogPaginator):
        page_size = 10

    def pages(data) -> list[list[tuple]]:
        table = CallTable(data, order_by=sort)
        result = []
        for page in (1, 2, 3):
            table.paginate(paginator_class=TenPerPage, page=page)
            result.append(
                [
                    (row.record.pk, row.record.client, row.record.trunk)
                    for row in table.page.object_list
                ]
            )
        return result

    expected = pages(queryset)
    assert [len(page) for page in expected] == [10, 10, 3]
    with django_assert_num_queries(6):  # ids and calls (with client and trunk) per page
        assert pages(PageIdsFirst(queryset)) == expected
