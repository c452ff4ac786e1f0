from django.contrib import admin
from django.urls import include, path

from firm import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("calls/", include("calls.urls")),
    path("clients/", include("clients.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
