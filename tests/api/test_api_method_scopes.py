"""Scopes are checked for every method a view answers: HEAD needs GET's scope, and a method
whose scope is not declared is refused (fail closed)."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from config.api_urls import urlpatterns
from credentials.services.batches import start_batch_from_list
from issuers.api_clients import SCOPES
from issuers.authentication import HasScopes
from tests.api.conftest import assert_problem

ROW = {"email": "jiro@example.ac.jp", "result": "pass", "assessed_on": "2026-07-31"}


def _scoped_get_routes():
    """(route, view class, GET's scope) of every API route that checks scopes and answers GET."""
    routes = []
    for pattern in urlpatterns:
        view = pattern.callback.cls
        checks_scopes = any(isinstance(check, HasScopes) for check in view().get_permissions())
        if checks_scopes and hasattr(view, "get"):
            routes.append((str(pattern.pattern), view, view.required_scopes["GET"]))
    return routes


SCOPED_GET_ROUTES = _scoped_get_routes()


def _path(route, award, batch):
    uuid = batch.public_id if route.startswith("batches") else award.public_id
    program = award.programme_version.programme_id
    path = "/api/v1/" + route.replace("<int:id>", str(program)).replace("<uuid:id>", str(uuid))
    return path + "?framework=eu" if route.endswith("crosswalk/") else path


def test_every_api_route_that_answers_get_is_in_the_table():
    # The table is derived from the URLconf; this guards the derivation itself.
    names = {route for route, _view, _scope in SCOPED_GET_ROUTES}
    assert {"programs/", "awards/", "awards/<uuid:id>/", "batches/", "webhooks/"} <= names
    assert len(names) == 9


@pytest.mark.parametrize(("route", "view", "scope"), SCOPED_GET_ROUTES, ids=lambda v: str(v))
def test_head_without_the_read_scope_is_forbidden(
    make_client, issuer_a, award_a, route, view, scope
):
    batch = start_batch_from_list(
        actor=None, programme_version=award_a.programme_version, rows=[ROW]
    )
    path = _path(route, award_a, batch)
    lacking = make_client(issuer_a, [s for s in SCOPES if s != scope], language="en")
    response = lacking.head(path)
    assert response.status_code == 403
    assert response.content == b""  # HEAD: the problem's headers only
    assert response["Content-Type"].startswith("application/problem+json")
    # With the scope, HEAD answers like GET.
    holding = make_client(issuer_a, [scope])
    assert holding.head(path).status_code == holding.get(path).status_code == 200


@pytest.mark.parametrize(("route", "view", "scope"), SCOPED_GET_ROUTES, ids=lambda v: str(v))
def test_get_without_the_read_scope_is_forbidden(
    make_client, issuer_a, award_a, route, view, scope
):
    batch = start_batch_from_list(
        actor=None, programme_version=award_a.programme_version, rows=[ROW]
    )
    lacking = make_client(issuer_a, [s for s in SCOPES if s != scope], language="en")
    problem = assert_problem(lacking.get(_path(route, award_a, batch)), 403)
    assert scope in problem["detail"]


def test_options_answers_metadata_only(make_client, issuer_a, award_a):
    lacking = make_client(issuer_a, ["learners:write"])
    response = lacking.options(f"/api/v1/awards/{award_a.public_id}/")
    assert response.status_code == 200
    assert set(response.json()) <= {"name", "description", "renders", "parses"}
    assert str(award_a.public_id) not in response.content.decode()


class _Undeclared(APIView):
    required_scopes = {"GET": "awards:read"}  # PUT is answered below but has no scope

    def get(self, request):
        return Response({"ok": True})

    def put(self, request):
        return Response({"written": True})


def test_a_method_without_a_declared_scope_is_refused(make_client, issuer_a):
    client = make_client(issuer_a)  # every scope: still refused, nothing says which applies
    factory = APIRequestFactory()
    auth = client._credentials["HTTP_AUTHORIZATION"]
    assert _Undeclared.as_view()(factory.get("/x/", HTTP_AUTHORIZATION=auth)).status_code == 200
    response = _Undeclared.as_view()(factory.put("/x/", {}, format="json", HTTP_AUTHORIZATION=auth))
    assert response.status_code == 403


def test_a_method_the_view_does_not_answer_is_405_not_403(api_a):
    response = api_a.delete("/api/v1/awards/")
    assert_problem(response, 405)
