from django.urls import path, register_converter

from clients import views
from clients.billing import views as billing_views
from firm.limits import CODE_MAX_LENGTH


class ClientCodeConverter:
    """A client code in a URL: 1 to 10 digits (clients.models), so anything else (``%00``,
    letters, a 30-digit number) is a 404 before any query."""

    regex = f"[0-9]{{1,{CODE_MAX_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(ClientCodeConverter, "client_code")

app_name = "clients"
urlpatterns = [
    path("", views.ClientSearchView.as_view(), name="search"),
    # Client codes are digits, so these fixed words never shadow a client.
    path("statements/", billing_views.ClientSummaryView.as_view(), name="statements"),
    path("statements/pack/", billing_views.MonthPackView.as_view(), name="statements_pack"),
    path("statements/issue/", billing_views.IssueStatementsView.as_view(), name="issue"),
    path(
        "statements/issue/<client_code:code>/email/",
        billing_views.IssueEmailPreviewView.as_view(),
        name="issue_email_preview",
    ),
    path("statements/issued/", billing_views.IssuedStatementListView.as_view(), name="issued"),
    path(
        "statements/issued/<int:pk>/pdf/",
        billing_views.IssuedStatementPdfView.as_view(),
        name="issued_pdf",
    ),
    path(
        "statements/issued/<int:pk>/invoice/",
        billing_views.IssuedInvoiceView.as_view(),
        name="issued_invoice",
    ),
    path("<client_code:code>/", views.ClientDetailView.as_view(), name="detail"),
    path("<client_code:code>/statement/", billing_views.StatementView.as_view(), name="statement"),
    path(
        "<client_code:code>/statement/correct/",
        billing_views.StatementCorrectView.as_view(),
        name="statement_correct",
    ),
    path(
        "<client_code:code>/statement/pdf/",
        billing_views.StatementPdfView.as_view(),
        name="statement_pdf",
    ),
]
