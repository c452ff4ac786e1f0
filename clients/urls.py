from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.ClientSearchView.as_view(), name="search"),
    # Client codes are digits, so these fixed words never shadow a client.
    path("statements/", views.ClientSummaryView.as_view(), name="statements"),
    path("statements/pack/", views.MonthPackView.as_view(), name="statements_pack"),
    path("<str:code>/", views.ClientDetailView.as_view(), name="detail"),
    path("<str:code>/statement/", views.StatementView.as_view(), name="statement"),
    path("<str:code>/statement/pdf/", views.StatementPdfView.as_view(), name="statement_pdf"),
]
