"""The storyboard editor's alternatives in a real browser: a prepared storyboard whose scenes got stock footage
from the fake Pexels and Pixabay servers; open a scene's alternatives and swap one in with one click (htmx)."""

import os
import shutil

import pytest
from django.urls import reverse

from renders.models import RenderJob
from tests import fake_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("REQUIRE_BROWSER is set but chromium/chromedriver are not installed")
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SCRIPT = "Host: The ocean is calm and blue tonight.\nGuest: Snowy mountains rise high above the valley."


@pytest.fixture
def browser():
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,2000"):
        options.add_argument(flag)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_a_scene_swaps_to_an_alternative_in_one_click(
    live_server, browser, client, owner, stock, settings, django_capture_on_commit_callbacks
):
    settings.RENDER_VIDEO_HEIGHT = 240
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    stock.add("mountains", "mountains.mp4", fake_stock.tiny_mp4("green"))
    stock.add("mountains", "peak.jpg", fake_stock.tiny_jpeg("white"))
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("studio:script_new"),
            {"title": "Views", "body": SCRIPT, "kind": "video", "aspect": "9:16", "prepare": "1"},
        )
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error

    browser.get(f"{live_server.url}/healthz")
    browser.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    )
    browser.get(f"{live_server.url}{reverse('renders:job', args=[job.public_id])}")
    wait = WebDriverWait(browser, 30)
    row = browser.find_element(By.ID, "scene-2")
    assert "Now: pexels" in row.text
    browser.find_element(By.ID, "alternatives-link-2").click()
    pixabay = wait.until(lambda b: b.find_element(By.CSS_SELECTOR, '#alternatives-2 [data-source="pixabay"]'))
    photo = next(item for item in pixabay.find_elements(By.TAG_NAME, "li") if "Image by Dan Still" in item.text)
    photo.find_element(By.TAG_NAME, "button").click()
    wait.until(lambda b: "Now: pixabay · Image by Dan Still on Pixabay" in b.find_element(By.ID, "scene-2").text)
    job.refresh_from_db()
    assert job.edited_storyboard["scenes"][1]["background"]["path"].endswith("/stock/pixabay-photo-4002.jpg")
