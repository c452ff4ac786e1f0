"""System checks of the deployment (``manage.py check --deploy``)."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, register


@register(Tags.staticfiles, deploy=True)
def static_manifest_check(app_configs, **kwargs):
    """With the manifest storage of production (DEBUG off), every page's ``{% static %}``
    reads ``STATIC_ROOT/staticfiles.json``: without it every page, login included, is a
    500. Only ``check --deploy``: ``migrate`` runs the other checks before collectstatic."""
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        Error(
            f"The static files manifest {storage.manifest_storage.path(storage.manifest_name)} "
            "is missing: every page would answer 500.",
            hint="Run `python manage.py collectstatic --noinput` (README, Deploying).",
            id="firm.E001",
        )
    ]


# The SECRET_KEY values of the templates (.env.example, deploy/clientcalls.env) and the
# development key: anyone who read the repository knows them.
PLACEHOLDER_KEY_PREFIXES = ("change-me", "dev-only-insecure-key")


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs):
    """A SECRET_KEY copied from a template signs sessions and password-reset links with a key
    anyone may know: an error, not Django's warning about short keys."""
    key = str(getattr(settings, "SECRET_KEY", ""))
    if not key.lower().startswith(PLACEHOLDER_KEY_PREFIXES):
        return []
    return [
        Error(
            "SECRET_KEY is the template's placeholder: anyone could forge sessions.",
            hint=(
                "Set SECRET_KEY in the .env to a long random value, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
            ),
            id="firm.E002",
        )
    ]
