"""common.csp.CSPMiddleware: the same Content-Security-Policy headers as django-csp's own
middleware, with the site-wide policy built once instead of for every response."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from common.csp import CSPMiddleware


def page(request):
    return HttpResponse("<p>ページ</p>")


@csp_update({"img-src": ["https:"]})
def page_with_own_policy(request):
    return HttpResponse("<img>")


@csp_exempt()
def exempt_page(request):
    return HttpResponse("{}")


def image_with_its_policy(request):
    response = HttpResponse(b"<svg/>", content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def page_using_a_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


def headers_from(middleware_class, view, path="/credentials/x/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    response = middleware(request)
    return {
        name: response.get(name)
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
    }


@pytest.mark.parametrize(
    "view", [page, page_with_own_policy, exempt_page, image_with_its_policy, page_using_a_nonce]
)
def test_the_headers_are_django_csps_own(view):
    ours, theirs = headers_from(CSPMiddleware, view), headers_from(DjangoCSPMiddleware, view)
    if view is page_using_a_nonce:  # a fresh nonce per request: compare around it
        ours = {k: v and v.split("'nonce-")[0] for k, v in ours.items()}
        theirs = {k: v and v.split("'nonce-")[0] for k, v in theirs.items()}
    assert ours == theirs
    if view is page:
        assert "script-src 'self'" in ours["Content-Security-Policy"]


def test_a_changed_setting_changes_the_header(settings):
    before = headers_from(CSPMiddleware, page)["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    after = headers_from(CSPMiddleware, page)
    assert after["Content-Security-Policy"] != before
    assert after == headers_from(DjangoCSPMiddleware, page)


def test_a_report_only_policy_is_added_as_django_csp_adds_it(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"}
    }
    ours = headers_from(CSPMiddleware, page)
    assert ours["Content-Security-Policy-Report-Only"]
    assert ours == headers_from(DjangoCSPMiddleware, page)
