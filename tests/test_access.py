"""Every page: anonymous users go to the login page, wrong roles get 403, right roles 200.

PAGES is the register of the project's own pages and who may open them. A test below
fails when a URL is added to the project without being listed here.
"""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clients.models import IssuedStatement
from firm.models import Job
from tests.conftest import logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db

ALL_ROLES = {"rita", "paolo", "anna"}

PAGES = {
    # url name: (kwargs, personas allowed)
    "home": ({}, ALL_ROLES | {"nora"}),
    "clients:search": ({}, ALL_ROLES),
    "clients:detail": ({"code": "123"}, ALL_ROLES),
    "calls:log": ({}, {"paolo", "anna"}),
    "calls:pdf": ({}, {"paolo", "anna"}),
    "calls:unassigned": ({}, {"paolo", "anna"}),
    "calls:periods": ({}, {"paolo", "anna"}),
    "calls:detail": ({"pk": 1}, {"paolo", "anna"}),
    "clients:statements": ({}, {"paolo", "anna"}),
    "clients:statements_pack": ({}, {"paolo", "anna"}),
    "clients:statement": ({"code": "123"}, {"paolo", "anna"}),
    "clients:statement_pdf": ({"code": "123"}, {"paolo", "anna"}),
    "clients:issue": ({}, {"paolo", "anna"}),
    "clients:issued": ({}, {"paolo", "anna"}),
    "clients:issued_pdf": ({"pk": 1}, {"paolo", "anna"}),
    "clients:issue_email_preview": ({"code": "123"}, {"paolo", "anna"}),
    "clients:issued_invoice": ({"pk": 1}, {"paolo", "anna"}),
    "clients:statement_correct": ({"code": "123"}, {"paolo", "anna"}),
    "calls:preferences": ({}, {"paolo", "anna"}),
    # A job nobody asked for (the nightly pack): administrators only; who asked may too
    # (tests/firm/test_jobs.py).
    "job": ({"pk": 1}, {"anna"}),
    "job_status": ({"pk": 1}, {"anna"}),
    "job_download": ({"pk": 1}, {"anna"}),
}
PERSONAS = ["rita", "paolo", "anna", "nora"]
# What an allowed role gets on a GET when it is not the page (a button's action: POST only).
# The e-mail preview of a client with nothing to bill in the month is not found.
GET_STATUS = {"clients:statement_correct": 405, "clients:issue_email_preview": 404}
# Framework pages that have their own access rules (login, admin, language switch).
FRAMEWORK_NAMESPACES = {"admin"}
FRAMEWORK_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    "health",  # no login, no data: tests/test_health.py
}


def _project_url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in FRAMEWORK_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _project_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_project_page_is_in_the_access_register():
    missing = set(_project_url_names()) - set(PAGES) - FRAMEWORK_NAMES
    assert not missing, f"add these pages to PAGES with the roles allowed: {sorted(missing)}"


@pytest.fixture
def _pages_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "jobs" / "1").mkdir(parents=True)
    (tmp_path / "jobs" / "1" / "rendiconti-2026-05.pdf").write_bytes(b"%PDF-1.7")
    Job.objects.create(
        pk=1,
        kind=Job.Kind.NIGHTLY_PACK,
        key="nightly",
        status=Job.Status.DONE,
        file="jobs/1/rendiconti-2026-05.pdf",
        file_name="rendiconti-2026-05.pdf",
        content_type="application/pdf",
        finished_at=timezone.now(),
    )
    client = make_client(code="123", name="Affaroni S.p.A.")
    make_call(pk=1)
    IssuedStatement.objects.create(
        pk=1,
        number="2026-05/1",
        month=date(2026, 5, 1),
        sequence=1,
        client=client,
        first_day=date(2026, 5, 1),
        last_day=date(2026, 5, 31),
        calls=0,
        talk_seconds=0,
        billable_seconds=0,
        policy_text="",
        pdf=b"%PDF-1.7",
        created_at=timezone.now(),
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_users_are_sent_to_the_login_page(client, _pages_data, name):
    kwargs, _allowed = PAGES[name]
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_role_gets_exactly_the_pages_it_is_allowed(request, _pages_data, name, persona):
    kwargs, allowed = PAGES[name]
    user = request.getfixturevalue(persona)
    response = logged_in(user).get(reverse(name, kwargs=kwargs))
    assert response.status_code == (GET_STATUS.get(name, 200) if persona in allowed else 403)


@pytest.mark.parametrize(
    ("persona", "status"), [("anna", 200), ("paolo", 302), ("rita", 302), ("nora", 302)]
)
def test_only_administrators_open_the_admin_site(request, persona, status):
    response = logged_in(request.getfixturevalue(persona)).get(reverse("admin:index"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_an_inactive_administrator_cannot_open_the_admin_site(anna):
    anna.is_active = False
    anna.save()
    browser = logged_in(anna)
    assert browser.get(reverse("admin:index")).status_code == 302


def test_the_queue_and_periods_links_are_shown_to_partners_and_administrators_only(
    paolo, anna, rita
):
    links = [reverse("calls:unassigned").encode(), reverse("calls:periods").encode()]
    for user, shown in ((paolo, True), (anna, True), (rita, False)):
        page = logged_in(user).get(reverse("home")).content
        assert all((link in page) == shown for link in links), user


def test_the_admin_link_is_shown_to_administrators_only(anna, rita):
    admin_url = reverse("admin:index").encode()
    assert admin_url in logged_in(anna).get(reverse("home")).content
    assert admin_url not in logged_in(rita).get(reverse("home")).content


def test_administrators_log_in_on_the_admin_login_page(client, anna):
    anna.set_password("segreta-123")
    anna.save()
    response = client.post(
        reverse("admin:login"),
        {"username": "anna", "password": "segreta-123", "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_other_roles_cannot_log_in_on_the_admin_login_page(client, rita):
    rita.set_password("segreta-123")
    rita.save()
    response = client.post(reverse("admin:login"), {"username": "rita", "password": "segreta-123"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 302


# --- POST: every page, every role -------------------------------------------------------------

# What an allowed role gets when it posts an empty form: pages with a form answer it (a
# redirect back with a message, or the page with the form's errors); the others refuse POST.
POST_STATUS = {
    "calls:unassigned": 302,
    "calls:periods": 302,
    "calls:detail": 400,
    "calls:preferences": 302,
    "clients:issue": 302,
    "clients:statement_correct": 302,  # no month: back to the statement, saying why
    "clients:issued_invoice": 200,  # the form again, with its errors
    # Long work: a job started (or joined), then its page (firm/jobs.py).
    "calls:pdf": 302,
    "clients:statements_pack": 302,
}


def test_every_page_says_what_a_post_gets():
    assert set(POST_STATUS) <= set(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_posts_are_sent_to_the_login_page(client, _pages_data, name):
    kwargs, _allowed = PAGES[name]
    response = client.post(reverse(name, kwargs=kwargs), {"calls": "1", "action": "suggested"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_role_may_post_exactly_where_it_may_read(request, _pages_data, name, persona):
    kwargs, allowed = PAGES[name]
    user = request.getfixturevalue(persona)
    response = logged_in(user).post(reverse(name, kwargs=kwargs), {})
    expected = POST_STATUS.get(name, 405) if persona in allowed else 403
    assert response.status_code == expected


# --- Hostile input: no parameter reaches the database unchecked --------------------------------

HOSTILE_VALUES = ["99999999999999999999", "-1", "%00", "\x00", "abc", "1e9", "", "9" * 400]
# Read by django-tables2 or the views themselves, beside each page's form fields.
TABLE_PARAMETERS = ["page", "per_page", "sort"]


def _form_parameters(form) -> list[str]:
    """The query parameters a form reads: a field's name, or one per part of a
    from–to widget (``date_after``, ``date_before``)."""
    names = []
    for name, field in form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        names += [f"{name}_{suffix}" for suffix in suffixes] if suffixes else [name]
    return names


def _fuzzed_pages():
    from calls.filters import CallLogFilter, UnassignedCallFilter
    from clients.billing.forms import StatementPeriodForm
    from clients.filters import ClientFilter
    from clients.forms import DialHelperForm

    call_log = _form_parameters(CallLogFilter().form) + TABLE_PARAMETERS
    period = _form_parameters(StatementPeriodForm()) + ["sort", "_export"]
    return {
        # (url name, kwargs, fixed parameters): the parameters fuzzed one by one
        ("calls:log", (), ()): call_log + ["_export"],
        ("calls:log", (), (("_export", "csv"),)): call_log,
        ("calls:log", (), (("_export", "xlsx"),)): call_log,
        ("calls:pdf", (), ()): call_log,
        ("calls:unassigned", (), ()): _form_parameters(UnassignedCallFilter().form)
        + TABLE_PARAMETERS,
        ("calls:periods", (), ()): TABLE_PARAMETERS,
        ("clients:search", (), ()): _form_parameters(ClientFilter().form) + TABLE_PARAMETERS,
        ("clients:detail", (("code", "123"),), ()): _form_parameters(DialHelperForm()),
        ("clients:statements", (), ()): period,
        ("clients:statements", (), (("_export", "csv"),)): period,
        ("clients:statements", (), (("_export", "xlsx"),)): period,
        ("clients:statements", (), (("_export", "billing_csv"),)): period,
        ("clients:statements", (), (("_export", "ledes"),)): period,
        ("clients:statements_pack", (), ()): period + ["zip"],
        ("clients:statement", (("code", "123"),), ()): period,
        ("clients:statement", (("code", "123"),), (("_export", "ledes"),)): period,
        ("clients:statement_pdf", (("code", "123"),), ()): period,
        ("clients:issue", (), ()): ["month"],
        ("clients:issued", (), ()): ["client", "month", "page"],
        ("clients:issued_pdf", (("pk", 1),), ()): [],
        ("clients:issue_email_preview", (("code", "123"),), ()): ["month"],
        ("clients:issued_invoice", (("pk", 1),), ()): ["download"],
        ("calls:preferences", (), ()): [],
    }


def test_every_list_page_with_parameters_is_fuzzed():
    fuzzed = {name for name, _kwargs, _fixed in _fuzzed_pages()}
    assert fuzzed == set(PAGES) - {
        *("home", "calls:detail", "job", "job_status", "job_download"),
        "clients:statement_correct",  # POST only: fuzzed as a posted form
    }


@pytest.mark.parametrize(
    ("name", "kwargs", "fixed"), sorted(_fuzzed_pages()), ids=lambda value: str(value)
)
def test_no_parameter_value_makes_a_list_page_fail(anna, _pages_data, name, kwargs, fixed):
    parameters = _fuzzed_pages()[(name, kwargs, fixed)]
    browser = logged_in(anna)
    browser.raise_request_exception = False
    url = reverse(name, kwargs=dict(kwargs))
    failures = []
    for parameter in parameters:
        for value in HOSTILE_VALUES:
            response = browser.get(url, {**dict(fixed), parameter: value})
            if response.status_code >= 500:
                failures.append((parameter, value[:20], response.status_code))
    assert not failures


@pytest.mark.parametrize(
    "path",
    [
        "/clients/%00/",
        "/clients/%00/statement/",
        "/clients/abc/",
        "/clients/-1/statement/pdf/",
        "/clients/99999999999999999999/",
        "/calls/99999999999999999999/",
        "/calls/0/",
    ],
)
def test_hostile_ids_in_paths_are_not_found(anna, path):
    assert logged_in(anna).get(path).status_code == 404


POSTED_FORMS = {
    "calls:unassigned": ["calls", "one", "action", "client_code", "note"],
    "calls:periods": ["action", "month", "reason"],
    "calls:detail": ["client_code", "note"],
    "calls:preferences": ["unassigned_calls"],
    "clients:issue": ["month"],
    "clients:statement_correct": ["month"],
    "clients:issued_invoice": ["number", "date"],
    "clients:statements_pack": ["zip"],
    "calls:pdf": [],  # reads only its query string, fuzzed as a GET
}


def test_every_page_that_takes_a_post_is_fuzzed():
    assert set(POSTED_FORMS) == set(POST_STATUS)


@pytest.mark.parametrize("name", sorted(POSTED_FORMS))
def test_no_posted_value_makes_a_form_fail(anna, _pages_data, name):
    kwargs, _allowed = PAGES[name]
    browser = logged_in(anna)
    browser.raise_request_exception = False
    failures = []
    for field in POSTED_FORMS[name]:
        for value in HOSTILE_VALUES:
            data = {"action": "client", "calls": "1", "client_code": "123", field: value}
            response = browser.post(reverse(name, kwargs=kwargs), data)
            if response.status_code >= 500:
                failures.append((field, value[:20], response.status_code))
    assert not failures
