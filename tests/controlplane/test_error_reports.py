"""Django's error page (DEBUG on) and error e-mails never show a posted value or the local
variables of a request that posted: either may be a secret being set."""

import sys
import uuid

from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

SECRET = f"typed-secret-{uuid.uuid4()}"  # made at run time: the page quotes this file's source lines


def _report_html(request) -> str:
    def save_secret(value):
        password = value  # noqa: F841 - a local variable the traceback would show
        raise RuntimeError("the backend broke")

    try:
        save_secret(request.POST.get("sasl_password") or request.GET.get("q"))
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


@override_settings(DEBUG=True)
def test_the_debug_error_page_of_a_post_shows_neither_the_posted_secret_nor_local_variables():
    request = RequestFactory().post("/admin/tenants/cluster/1/change/", {"sasl_password": SECRET, "name": "x"})

    html = _report_html(request)

    assert "the backend broke" in html and "sasl_password" in html
    assert SECRET not in html


@override_settings(DEBUG=True)
def test_a_get_keeps_its_local_variables_for_debugging():
    term = f"search-{uuid.uuid4()}"

    html = _report_html(RequestFactory().get("/admin/", {"q": term}))

    assert term in html
