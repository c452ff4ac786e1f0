"""Load what every first request would otherwise load, before gunicorn forks its workers
(firm/gunicorn.conf.py, decision 2): the URL configuration and so every view module (with
WeasyPrint, pypdf, tables and filters), the translation catalogues, our templates compiled,
the login form's widget templates and the static files manifest. Touches no database: a
connection opened here would be shared by every forked worker."""

from pathlib import Path

from django.conf import settings
from django.db import connections


def warm_up() -> None:
    from django.contrib.auth.forms import AuthenticationForm
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018 (imports every urls and views module)
    templates = Path(settings.BASE_DIR) / "templates"
    for path in sorted(templates.rglob("*.html")):
        get_template(str(path.relative_to(templates)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            AuthenticationForm().as_p()
    staticfiles_storage.base_url  # noqa: B018 (reads the manifest, in production)
    connections.close_all()
