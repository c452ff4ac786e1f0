"""Writes to the firm's own settings."""

from django.db import transaction

from firm.lib.marker import marker_history_with
from firm.models import FirmSettings


@transaction.atomic
def firm_settings_save(*, firm_settings: FirmSettings) -> FirmSettings:
    """Validate and save the firm's settings. When the billing marker changes, the marker it
    replaces joins ``former_markers``, so calls dialled with it are still read right."""
    stored = FirmSettings.objects.select_for_update().filter(pk=firm_settings.pk).first()
    if stored is not None:
        history = marker_history_with(
            stored.former_marker_list,
            old=stored.billing_marker,
            new=firm_settings.billing_marker,
        )
        firm_settings.former_markers = " ".join(history)
    firm_settings.full_clean()
    firm_settings.save()
    return firm_settings
