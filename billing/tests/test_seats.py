"""Seats: a plan holds so many members, and invitations waiting for an answer hold a seat each. Inviting into
a full workspace is a form error with the way to upgrade; accepting into one is refused, naming who to ask."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import invitations
from accounts.models import Membership
from tests.factories import make_member, put_on_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_after_each_post")]
INVITE = reverse("workspaces:invite")


def invite(client, email: str):
    return client.post(INVITE, {"email": email, "role": Membership.Role.EDITOR})


def mailed_link(to: str) -> str:
    body = next(message.body for message in reversed(mail.outbox) if message.to == [to])
    return re.search(r"http://testserver(/workspaces/invitations/\S+/)", body).group(1)


def test_plans_are_seeded_with_seats(plans):
    assert [plans[slug].max_members for slug in ("free", "creator", "pro", "business")] == [3, 5, 15, 50]


def test_invitations_waiting_for_an_answer_take_seats(plans, workspace, owner_client):
    # Free: 3 seats, the owner takes one.
    assert invite(owner_client, "one@example.com").status_code == 302
    assert invite(owner_client, "two@example.com").status_code == 302
    response = invite(owner_client, "three@example.com")
    page = response.content.decode()
    assert response.status_code == 200 and f"{escape(workspace.name)} is full: the Free plan has 3 seats" in page
    assert "See plans and upgrade</a>" in page and f'href="{reverse("billing:page")}"' in page
    assert not workspace.invitations.filter(email="three@example.com").exists()
    # Inviting the same address again replaces its invitation rather than taking another seat.
    assert invite(owner_client, "two@example.com").status_code == 302


def test_withdrawing_an_invitation_or_upgrading_frees_room(plans, workspace, owner_client):
    invite(owner_client, "one@example.com")
    invite(owner_client, "two@example.com")
    pending = workspace.invitations.get(email="two@example.com")
    owner_client.post(reverse("workspaces:invitation_revoke", args=[pending.pk]))
    assert invite(owner_client, "three@example.com").status_code == 302
    put_on_plan(workspace, "creator")
    assert invite(owner_client, "four@example.com").status_code == 302


def test_accepting_into_a_full_workspace_is_refused_naming_who_to_ask(plans, workspace, owner_client):
    invite(owner_client, "late@example.com")
    link = mailed_link("late@example.com")
    for email in ("a@example.com", "b@example.com"):  # filled since, e.g. while on a bigger plan
        Membership.objects.create(workspace=workspace, user=make_member(email), role=Membership.Role.VIEWER)
    late = Client()
    late.force_login(make_member("late@example.com"))
    response = late.post(link, {"accept": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "no free seat on its plan right now: ask owner@example.com to free one or upgrade" in page
    assert not workspace.memberships.filter(user__email="late@example.com").exists()
    workspace.memberships.get(user__email="b@example.com").delete()
    assert late.post(link, {"accept": ""}).status_code == 302


def test_accepting_counts_members_only(plans, workspace, owner, django_capture_on_commit_callbacks):
    owner_membership = workspace.memberships.get(user=owner)
    tokens = []  # the mail's link is made on commit
    for email in ("x@example.com", "y@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            invitations.invite(owner_membership, email, Membership.Role.EDITOR, tokens.append)
    # Two waiting invitations fill the Free plan's 3 seats, yet each may still be accepted.
    for email, token in zip(("x@example.com", "y@example.com"), tokens, strict=True):
        invitations.accept(token, make_member(email))
    assert workspace.memberships.count() == 3


def test_the_billing_page_shows_seats_used_and_allowed(plans, workspace, owner_client):
    invite(owner_client, "one@example.com")
    page = owner_client.get(reverse("billing:page")).content.decode()
    assert "Seats: 2 of 3 used (1 member, 1 invitation waiting)" in page
    assert "3 members · 2 voices" in page  # the Free plan's card
