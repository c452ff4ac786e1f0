from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from calls.views.dashboard import home
from firm import views

# The URLs are the composition root: the home page lives in the calls app (its partner
# dashboard reads calls and clients, which the kernel may not import).
urlpatterns = [
    path("", home, name="home"),
    path("health/", views.health, name="health"),
    # Long work run by the task worker (firm/jobs.py): its page, its state, its file.
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    # Django's auth URLs without password reset: it needs e-mail, which is not configured
    # (README, Security). Administrators set a forgotten password in admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("calls/", include("calls.urls")),
    path("clients/", include("clients.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
