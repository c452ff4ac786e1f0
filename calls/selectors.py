"""Reads that several views and services share."""

from calls import dialing
from calls.cdr import THREECX_LAYOUTS
from calls.models import CdrLayout, FirmSettings, Trunk, TrunkIdentifier


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


def match_rules_get(*, plan: dialing.DialPlan | None = None):
    """Trunk identifiers and dial rules for matching call records (see calls.matching)."""
    from calls.matching import MatchRules

    identifiers = dict(
        TrunkIdentifier.objects.filter(trunk__is_active=True).values_list("value", "trunk_id")
    )
    return MatchRules(plan=plan or dial_plan_get(), trunk_identifiers=identifiers)


def cdr_layout_default() -> tuple[str, ...] | None:
    """The 3CX layout an administrator marked as the default, if any."""
    layout = CdrLayout.objects.filter(is_default=True).first()
    return layout.field_tuple if layout else None


def cdr_layout_named(name: str) -> tuple[str, ...] | None:
    """A layout by name: one configured in admin, or a built-in one ('default-27', …)."""
    layout = CdrLayout.objects.filter(name=name).first()
    if layout:
        return layout.field_tuple
    return THREECX_LAYOUTS.get(name)
