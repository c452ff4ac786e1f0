from firm.roles import is_administrator


def roles(request):
    """Lets every template show the Administration link to administrators only."""
    user = getattr(request, "user", None)
    return {"is_administrator": bool(user) and is_administrator(user)}
