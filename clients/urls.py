from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.ClientSearchView.as_view(), name="search"),
    path("<str:code>/", views.ClientDetailView.as_view(), name="detail"),
]
