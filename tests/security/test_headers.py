"""Attacks a browser would carry out for an attacker: injected scripts and styles, borrowed devices, framing.

Every page sends a Content-Security-Policy that allows scripts and styles from our own origin only (no inline
code, so injected markup cannot run), a Permissions-Policy, and HSTS preload only when configured. A real
Chromium opens every Studio page and must log no CSP violation.
"""

import shutil

import pytest
from django.conf import settings
from django.test import Client

from renders.models import RenderJob
from scripts.models import Campaign, Pronunciation, Script
from tests.security.servers import free_port, manage, production_settings, running, server_env
from voices.models import Voice


def test_studio_pages_refuse_inline_scripts_and_styles_and_disable_unused_devices(owner_client):
    response = owner_client.get("/studio/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_api_answers_carry_the_same_headers(client, db):
    response = client.get("/api/v1/jobs")
    assert response.status_code == 401
    assert "default-src 'self'" in response["Content-Security-Policy"] and response["Permissions-Policy"]


def test_our_templates_hold_no_inline_script_or_style():
    for template in (settings.BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        assert "style=" not in text and "<style" not in text, template
        for tag in text.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline <script> in {template}"


def test_hsts_preload_is_off_unless_the_operator_turns_it_on():
    assert production_settings("SECURE_HSTS_PRELOAD") == ["False"]
    assert production_settings("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1") == ["True"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)  # the server shares the test database
def test_no_studio_page_breaks_its_content_security_policy(owner, redis_url, tmp_path):
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    workspace = owner.memberships.get().workspace
    campaign = Campaign.objects.create(workspace=workspace, name="Launch")
    script = Script.objects.create(workspace=workspace, title="Hello", body="Host: Hello there.", created_by=owner)
    voice = Voice.objects.create(workspace=workspace, name="Host")
    entry = Pronunciation.objects.create(workspace=workspace, written="Acme", spoken="Ack-mee")
    job = RenderJob.objects.create(
        workspace=workspace, title="Live", blocks=[{"speaker": "Host", "text": "Hi."}],
        status=RenderJob.Status.RUNNING, stage="narrate", percent=10,
    )  # fmt: skip
    session = Client()
    session.force_login(owner)
    pages = [
        "/studio/", "/studio/scripts/new/", f"/studio/scripts/{script.pk}/", "/studio/campaigns/",
        "/studio/campaigns/new/", f"/studio/campaigns/{campaign.pk}/", "/studio/voices/", "/studio/voices/new/",
        f"/studio/voices/{voice.pk}/", f"/studio/voices/{voice.pk}/delete/", "/studio/billing/",
        "/studio/settings/api-keys/", f"/jobs/{job.public_id}/", "/api/docs/", "/admin/login/",
        "/studio/pronunciations/", f"/studio/pronunciations/{entry.pk}/",
    ]  # fmt: skip

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    port = free_port()
    command = [*manage()[:1], "-m", "omnivibe.serve", "-p", str(port), "omnivibe.asgi:application"]
    env = server_env(tmp_path, REDIS_URL=redis_url)
    with running(command, env, port, tmp_path / "web.log", health="/accounts/login/") as url:
        driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        try:
            driver.get(f"{url}/accounts/login/")
            violations = [
                entry["message"] for entry in driver.get_log("browser") if "Content Security" in entry["message"]
            ]
            driver.add_cookie(
                {"name": settings.SESSION_COOKIE_NAME, "value": session.cookies[settings.SESSION_COOKIE_NAME].value}
            )
            for page in pages:
                driver.get(url + page)
                assert "Log in" not in driver.title or page == "/admin/login/", f"{page} asked us to log in"
                violations += [
                    f"{page}: {entry['message']}"
                    for entry in driver.get_log("browser")
                    if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
                ]
        finally:
            driver.quit()
    assert violations == []
