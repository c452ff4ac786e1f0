"""A user's own e-mail preferences."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View

from calls.forms import (
    ReminderPreferenceForm,
)
from calls.reminders import reminder_preference_set, reminder_wanted


class ReminderPreferenceView(PermissionRequiredMixin, View):
    """'Preferenze': a partner turns the daily reminder of unassigned calls on or off (on by
    default); administrators change anyone's in admin."""

    permission_required = "calls.assign_call"
    template_name = "calls/preferences.html"

    def get(self, request):
        form = ReminderPreferenceForm(initial={"unassigned_calls": reminder_wanted(request.user)})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ReminderPreferenceForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        reminder_preference_set(
            user=request.user, unassigned_calls=form.cleaned_data["unassigned_calls"]
        )
        messages.success(request, gettext("Preferences saved."))
        return redirect("calls:preferences")
