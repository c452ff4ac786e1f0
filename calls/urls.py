from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.CallLogView.as_view(), name="log"),
    path("pdf/", views.CallLogPdfView.as_view(), name="pdf"),
    path("unassigned/", views.UnassignedCallsView.as_view(), name="unassigned"),
    path("periods/", views.PeriodsView.as_view(), name="periods"),
    path("preferences/", views.ReminderPreferenceView.as_view(), name="preferences"),
    path("<int:pk>/", views.CallDetailView.as_view(), name="detail"),
]
