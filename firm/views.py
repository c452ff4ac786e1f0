from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    """Start page: the tools the user's role opens."""
    return render(request, "home.html")
