"""A dialled code names one client or one matter: triggers refuse a matter whose code is a
client's, and a client whose code is a matter's (each table keeps its own codes unique with
its unique constraint). Written per database:

- SQLite: BEFORE INSERT and BEFORE UPDATE OF code triggers on each table, RAISE(ABORT), which
  Django reports as an IntegrityError.
- PostgreSQL: one trigger function per table raising unique_violation (IntegrityError). It
  first takes a transaction-level advisory lock on the code, so a client and a matter given
  the same code by two transactions at once take turns, and the second sees the first.

The forms say it in words first (Client.clean, Matter.clean). A later migration that makes
SQLite rebuild clients_client or clients_matter (adding a NOT NULL column, changing a column)
drops these SQLite triggers with the old table and must create them again; the tests of
tests/clients/test_code_one_owner.py fail when they are missing.
"""

from django.db import migrations

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {table}_code_one_owner_{event.split()[0].lower()}
    BEFORE {event} ON {table}
    WHEN EXISTS (SELECT 1 FROM {other} WHERE code = NEW.code)
    BEGIN SELECT RAISE(ABORT, '{message}'); END"""
    for table, other, message in (
        ("clients_matter", "clients_client", "a matter code may not be a client code"),
        ("clients_client", "clients_matter", "a client code may not be a matter code"),
    )
    for event in ("INSERT", "UPDATE OF code")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_code_one_owner_{event}"
    for table in ("clients_matter", "clients_client")
    for event in ("insert", "update")
]

PG_FORWARD = [
    f"""CREATE FUNCTION {table}_code_one_owner() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('clients code ' || NEW.code));
        IF EXISTS (SELECT 1 FROM {other} WHERE code = NEW.code) THEN
            RAISE EXCEPTION '{message}: %', NEW.code USING ERRCODE = 'unique_violation';
        END IF;
        RETURN NEW;
    END $$""".replace("{table}", table)
    for table, other, message in (
        ("clients_matter", "clients_client", "a matter code may not be a client code"),
        ("clients_client", "clients_matter", "a client code may not be a matter code"),
    )
] + [
    f"""CREATE TRIGGER {table}_code_one_owner BEFORE INSERT OR UPDATE OF code ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_code_one_owner()"""
    for table in ("clients_matter", "clients_client")
]
PG_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_code_one_owner ON {table}"
    for table in ("clients_matter", "clients_client")
] + [
    f"DROP FUNCTION IF EXISTS {table}_code_one_owner()"
    for table in ("clients_matter", "clients_client")
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(f"No code triggers for {vendor}")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_issued_statements")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
