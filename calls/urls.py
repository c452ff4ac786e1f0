from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.CallLogView.as_view(), name="log"),
    path("pdf/", views.CallLogPdfView.as_view(), name="pdf"),
]
