from django.shortcuts import render


def home(request):
    """Start page: the tools the user's role opens."""
    return render(request, "home.html")
