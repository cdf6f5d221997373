"""The whole product in a real browser: `manage.py runstack` (daphne, worker, embedded Redis) and Chromium.

Sign up, render the sample two-speaker script, watch live progress reach 100 %, and play the video; draft a
script with the AI writer (the stack's OpenAI provider is the local fake of tests/fake_llm.py), edit it and
render it; and a team:
an owner invites an editor and a viewer by e-mail (the mails `runstack` writes to var/mail/), they join through
the links, the editor renders, the viewer cannot, and the audit log shows each step.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests import fake_llm

pytestmark = pytest.mark.browser

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("REQUIRE_BROWSER is set but chromium/chromedriver are not installed")
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)  # fmt: skip

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


VAR = Path(f"/tmp/omnivibe-browser-{os.getpid()}")  # the live stack's var/: database, mails, media
LLM = fake_llm.FakeLLM()  # the writer's model for the live stack


def wait_for_health(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never reported healthy")


@pytest.fixture(scope="module")
def live_stack():
    """The real run command on a fresh SQLite database, as `make run` starts it."""
    var = VAR
    shutil.rmtree(var, ignore_errors=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="omnivibe.settings", DEBUG="1", OMNIVIBE_VAR_DIR=str(var), PORT=str(port))
    llm_server = fake_llm.start(LLM)
    env.update(OPENAI_API_KEY=fake_llm.API_KEY, OPENAI_BASE_URL=f"{LLM.url}/v1", ANTHROPIC_API_KEY="")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=settings.BASE_DIR, check=True)
    log = (var / "stack.log").open("w")
    stack = subprocess.Popen([*manage, "runstack"], env=env, cwd=settings.BASE_DIR, stdout=log, stderr=log)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=30)
        log.close()
        # Ctrl-C stops everything it started: the run's own Redis socket directory is gone with its server.
        assert list((var / "run").iterdir()) == []
        shutil.rmtree(var, ignore_errors=True)
        llm_server.shutdown()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--window-size=1280,1000"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_sign_up_render_watch_progress_and_play_the_video(live_stack, browser):
    browser.get(f"{live_stack}/accounts/signup/")
    browser.find_element(By.NAME, "email").send_keys("creator@example.com")
    browser.find_element(By.NAME, "password1").send_keys("a-long-pass-phrase")
    browser.find_element(By.NAME, "password2").send_keys("a-long-pass-phrase")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/studio/"))

    browser.find_element(By.LINK_TEXT, "New script").click()
    assert "Host:" in browser.find_element(By.NAME, "body").get_attribute("value")  # the sample script
    browser.find_element(By.CSS_SELECTOR, "select[name=aspect] option[value='16:9']").click()
    browser.find_element(By.ID, "render-button").click()
    WebDriverWait(browser, 20).until(lambda b: "/jobs/" in b.current_url)
    job_url = browser.current_url

    # Progress arrives over the WebSocket: the page is never reloaded, yet its status changes.
    seen = set()

    def finished(driver):
        # One script call: htmx may swap the element between two WebDriver calls.
        # The bar (and its percent) is there while the job runs: progress alone swaps just it.
        status, percent = driver.execute_script(
            "const s = document.getElementById('job-status'), p = document.getElementById('job-progress');"
            "return [s.dataset.status, p ? p.dataset.percent : null];"
        )
        if percent is not None:
            seen.add(int(percent))
        return status in {"succeeded", "failed"}

    WebDriverWait(browser, 180, poll_frequency=0.1).until(finished)
    assert browser.current_url == job_url
    assert browser.find_element(By.ID, "job-status").get_attribute("data-status") == "succeeded", browser.find_element(
        By.ID, "job-status"
    ).text
    assert len(seen) >= 2, seen  # we saw it move, not only the end

    WebDriverWait(browser, 30).until(
        lambda b: b.execute_script("return document.getElementById('job-video').readyState") >= 1
    )
    duration = browser.execute_script("return document.getElementById('job-video').duration")
    width = browser.execute_script("return document.getElementById('job-video').videoWidth")
    assert duration > 3 and width == 1280  # the Free plan renders at 720p

    # A late visit (reload) shows the result straight from the database.
    browser.refresh()
    assert browser.find_element(By.ID, "job-status").get_attribute("data-status") == "succeeded"
    assert browser.find_elements(By.ID, "job-video")


AI_DRAFT = """# Cold brew at home
Ana: Cold brew never meets heat, and that changes the whole cup.
Ben: Less bitter, then? With the beans I already have?
Ana: Less bitter and sweeter. Grind coarse, steep overnight, filter."""


def test_draft_with_ai_edit_and_render(live_stack, browser):
    LLM.reply(AI_DRAFT)
    sign_up(browser, live_stack, "writer@example.com")
    browser.find_element(By.LINK_TEXT, "New script").click()
    browser.find_element(By.CSS_SELECTOR, "#ai-writer summary").click()
    browser.find_element(By.NAME, "ai-topic").send_keys("Cold brew at home")
    for name, value in (("ai-speakers", "Ana, Ben"), ("ai-seconds", "15")):
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    browser.find_element(By.ID, "ai-draft-button").click()
    status = browser.find_element(By.ID, "ai-draft-status")
    WebDriverWait(browser, 60).until(lambda b: "is in the editor" in status.text or "unchanged" in status.text)
    assert "A draft of 29 words by OpenAI" in status.text, status.text
    body = browser.find_element(By.NAME, "body")
    assert body.get_attribute("value").startswith("Ana: Cold brew never meets heat")
    assert browser.find_element(By.NAME, "title").get_attribute("value") == "Cold brew at home"
    body.send_keys(Keys.CONTROL, Keys.END)
    body.send_keys("\nBen: Written by hand, after the draft.")
    browser.find_element(By.ID, "render-button").click()
    WebDriverWait(browser, 20).until(lambda b: "/jobs/" in b.current_url)
    WebDriverWait(browser, 240, poll_frequency=0.5).until(
        lambda b: (
            b.execute_script("return document.getElementById('job-status').dataset.status") in {"succeeded", "failed"}
        )
    )
    assert browser.find_element(By.ID, "job-status").get_attribute("data-status") == "succeeded"
    assert LLM.requests and LLM.requests[0]["stream"] is True  # the page streamed it from the model


def sign_up(browser, base: str, email: str, path: str = "/accounts/signup/") -> None:
    browser.delete_all_cookies()
    browser.get(f"{base}{path}")
    if path != "/accounts/signup/":  # an invitation link, opened signed out
        browser.find_element(By.LINK_TEXT, "Sign up").click()
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password1").send_keys("a-long-pass-phrase")
    browser.find_element(By.NAME, "password2").send_keys("a-long-pass-phrase")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/studio/"))


def invitation_link(email: str) -> str:
    """The accept link of the newest mail to `email` in the stack's var/mail/ (Django's file mail backend)."""
    mails = sorted((VAR / "mail").glob("*.log"), key=lambda path: path.stat().st_mtime)
    for text in reversed([path.read_text() for path in mails]):
        if f"To: {email}" in text:
            return re.search(r"https?://[^/\s]+(/workspaces/invitations/\S+/)", text).group(1)
    raise AssertionError(f"no mail to {email} in {VAR / 'mail'}")


def test_a_team_invites_joins_renders_and_is_audited(live_stack, browser):
    sign_up(browser, live_stack, "boss@team.example")
    browser.get(f"{live_stack}/workspaces/members/")
    for email, role in (("editor@team.example", "editor"), ("viewer@team.example", "viewer")):
        browser.find_element(By.NAME, "email").send_keys(email)
        browser.find_element(By.CSS_SELECTOR, f"#invite select[name=role] option[value={role}]").click()
        browser.find_element(By.XPATH, "//button[contains(., 'Send invitation')]").click()
        WebDriverWait(browser, 20).until(lambda b, email=email: f"Invitation sent to {email}." in b.page_source)

    sign_up(browser, live_stack, "editor@team.example", invitation_link("editor@team.example"))
    assert (
        "Welcome to boss&#x27;s workspace" in browser.page_source
        or "Welcome to boss's workspace" in browser.page_source
    )
    assert browser.find_element(By.CSS_SELECTOR, ".switcher summary").text == "boss's workspace"
    browser.find_element(By.LINK_TEXT, "New script").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/studio/scripts/new/"))
    browser.find_element(By.NAME, "title").clear()
    browser.find_element(By.NAME, "title").send_keys("Team launch")
    browser.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=audio]").click()
    browser.find_element(By.ID, "render-button").click()
    WebDriverWait(browser, 20).until(lambda b: "/jobs/" in b.current_url)

    sign_up(browser, live_stack, "viewer@team.example", invitation_link("viewer@team.example"))
    browser.find_element(By.LINK_TEXT, "New script").click()
    refusal = "Only the workspace's owners, admins and editors can do this."
    WebDriverWait(browser, 20).until(lambda b: refusal in b.page_source)

    browser.delete_all_cookies()
    browser.get(f"{live_stack}/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys("boss@team.example")
    browser.find_element(By.NAME, "password").send_keys("a-long-pass-phrase")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/studio/"))
    browser.get(f"{live_stack}/workspaces/audit/")
    log = browser.find_element(By.ID, "audit").text
    for line in ("Invited editor@team.example as editor", "Invited viewer@team.example as viewer",
                 "editor@team.example joined as editor", "viewer@team.example joined as viewer",
                 "“Team launch” render.created"):  # fmt: skip
        assert line in log, log


def test_a_series_from_a_csv_renders_row_after_row_live_and_is_reviewed(live_stack, browser, tmp_path):
    sign_up(browser, live_stack, "series@example.com")
    browser.get(f"{live_stack}/studio/campaigns/new/")
    browser.find_element(By.NAME, "name").send_keys("Facts")
    browser.find_element(By.XPATH, "//button[text()='Save campaign']").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/studio/campaigns/"))
    rows = tmp_path / "week.csv"
    rows.write_text('title,script\nOne,Host: The first video.\nTwo,Host: The second video.\nBad,"=HYPERLINK(""x"")"\n')

    browser.get(f"{live_stack}/studio/series/")  # the workspace's one campaign is chosen
    browser.find_element(By.NAME, "name").send_keys("Week 1")
    browser.find_element(By.NAME, "file").send_keys(str(rows))
    browser.find_element(By.XPATH, "//button[text()='Start the series']").click()
    WebDriverWait(browser, 20).until(lambda b: re.search(r"/studio/series/[0-9a-f-]{36}/$", b.current_url))
    page = browser.current_url
    assert "script: looks like a spreadsheet formula" in browser.page_source

    # The Free plan renders one at a time: the rows move on over the WebSocket, the page is never reloaded.
    seen = []

    def reviewed(driver) -> bool:
        statuses = driver.execute_script(
            "return [...document.querySelectorAll('tr[id^=row-]')].map(row => row.dataset.status)"
        )
        seen.append(tuple(statuses))
        return statuses == ["review", "review", "invalid"]

    WebDriverWait(browser, 300, poll_frequency=0.2).until(reviewed)
    assert browser.current_url == page and len(set(seen)) >= 2, seen

    browser.find_element(By.LINK_TEXT, "Review").click()
    browser.find_element(By.XPATH, "//button[text()='Approve']").click()
    WebDriverWait(browser, 20).until(lambda b: "“One” approved." in b.page_source)
    assert "The second video." in browser.page_source or "Two" in browser.page_source
