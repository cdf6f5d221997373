"""The site's URLs plus two views for tests: one that logs in a member's workspace, one that crashes."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from accounts.access import member_workspace


@login_required
def logs_a_warning(request):
    member_workspace(request)
    logging.getLogger("studio.views").warning("something worth a look")
    return HttpResponse("logged")


def crashes(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("test/logs-a-warning", logs_a_warning),
    path("test/crashes", crashes),
    path("", include("omnivibe.urls")),
]
