"""Every admin page staff can reach loads: the changelist, the add form and a change form."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Workspace
from renders.models import RenderJob

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def staff_client(client, owner):
    get_user_model().objects.create_superuser("staff@example.com", "staff@example.com", "a-staff-pass-phrase")
    client.login(email="staff@example.com", password="a-staff-pass-phrase")
    RenderJob.objects.create(workspace=Workspace.objects.get(), blocks=[], options={})
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_the_admin_pages_of_each_model_load(staff_client, model):
    app, name = model._meta.app_label, model._meta.model_name
    assert staff_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    if admin.site._registry[model].has_add_permission(_request(staff_client)):
        assert staff_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 200
    first = model._default_manager.first()
    if first is not None:
        assert staff_client.get(reverse(f"admin:{app}_{name}_change", args=[first.pk])).status_code == 200


def _request(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(email="staff@example.com")
    return request
