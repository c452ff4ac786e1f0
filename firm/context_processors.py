from django.utils.functional import SimpleLazyObject

from firm.roles import is_administrator


def roles(request):
    """Lets every template show the Administration link to administrators only. Lazy: asked
    only by a template that shows it (a page renders its table with a context of its own,
    and each context runs the processors again)."""
    user = getattr(request, "user", None)
    return {"is_administrator": SimpleLazyObject(lambda: bool(user) and is_administrator(user))}
