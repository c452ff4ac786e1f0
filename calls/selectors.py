"""Reads that several views and services share."""

from calls import dialing
from calls.models import FirmSettings, Trunk


def dial_plan_get(*, firm_settings: FirmSettings | None = None) -> dialing.DialPlan:
    """The firm's dial rules as the pure dialing module wants them: marker, active trunks."""
    firm_settings = firm_settings or FirmSettings.load()
    return dialing.DialPlan(
        trunks=tuple(trunk.as_rule() for trunk in Trunk.objects.filter(is_active=True)),
        marker=firm_settings.billing_marker,
        internal_lengths=firm_settings.extension_lengths,
        country_code=firm_settings.country_code,
        international_prefix=firm_settings.international_prefix,
    )
