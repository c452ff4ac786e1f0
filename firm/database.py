"""Telling a lost database from a refused query, and naming the database without secrets."""

from django.db import DEFAULT_DB_ALIAS, Error, InterfaceError, OperationalError, connections


def database_address(alias: str = DEFAULT_DB_ALIAS) -> str:
    """'127.0.0.1:5432/clientcalls' (no user, no password), or the SQLite file."""
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return str(settings["NAME"])
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or "5432"
    return f"{host}:{port}/{settings['NAME']}"


def database_unreachable(error: BaseException, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether ``error`` means the database went away (down, restarted, out of reach), as
    opposed to a statement it refused: asks it once more with a trivial query."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    connection = connections[alias]
    try:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Error:
        return True
    return False


def first_line(error: BaseException) -> str:
    """The error's first line (a server's DETAIL and CONTEXT lines left out)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
