"""Every page: anonymous users go to the login page, wrong roles get 403, right roles 200.

PAGES is the register of the project's own pages and who may open them. A test below
fails when a URL is added to the project without being listed here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
}
PERSONAS = ["rita", "paolo", "anna", "nora"]
# Framework pages that have their own access rules (login, admin, language switch).
FRAMEWORK_NAMESPACES = {"admin"}
FRAMEWORK_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
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
def _pages_data(db):
    make_client(code="123", name="Affaroni S.p.A.")
    make_call(pk=1)


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
    assert response.status_code == (200 if persona in allowed else 403)


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
