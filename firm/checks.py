"""System checks of the deployment (``manage.py check --deploy``)."""

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
