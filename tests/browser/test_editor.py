"""The script editor in a real browser: as the creator types, the live estimate shows each block's keywords and
the speakers panel lists the speakers; a voice is picked and heard (▶), saved with the script; and a script
about the same thing shows up among "Similar scripts" (vectors computed by the stack's worker)."""

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.test_studio_flow import LLM, browser, live_stack, sign_up  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

BREAD = "Host: Sourdough bread needs a lively starter.\nGuest: And patience with the dough!"


def write_script(driver, base: str, title: str, body: str) -> None:
    driver.get(f"{base}/studio/scripts/new/")
    driver.find_element(By.NAME, "title").clear()
    driver.find_element(By.NAME, "title").send_keys(title)
    editor = driver.find_element(By.NAME, "body")
    editor.clear()
    editor.send_keys(body)


def test_type_pick_a_voice_hear_it_save_and_find_similar_scripts(live_stack, browser):  # noqa: F811
    sign_up(browser, live_stack, "writer@example.com")
    write_script(browser, live_stack, "Sourdough", BREAD)
    # The estimate follows the typing (htmx, debounced) and brings the speakers panel with it.
    WebDriverWait(browser, 20).until(lambda b: "sourdough" in b.find_element(By.ID, "estimate").text)
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, "id_speaker_voice_1"))
    labels = [label.text for label in browser.find_elements(By.CSS_SELECTOR, "#speakers .speaker label")]
    assert labels == ["Host", "Guest"]

    Select(browser.find_element(By.ID, "id_speaker_voice_1")).select_by_value("builtin:joe-calm")
    browser.find_element(By.CSS_SELECTOR, "#speakers button[value=Guest]").click()
    WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.CSS_SELECTOR, "audio[data-speaker=Guest]"))

    browser.find_element(By.NAME, "save").click()
    WebDriverWait(browser, 20).until(lambda b: "/new/" not in b.current_url and "/scripts/" in b.current_url)
    script_url = browser.current_url
    # The speakers panel is refreshed by htmx after the page loads: read it again until it settles.
    WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: (
            Select(b.find_element(By.ID, "id_speaker_voice_1")).first_selected_option.get_attribute("value")
            == "builtin:joe-calm"
        )
    )

    write_script(browser, live_stack, "Baking loaves", "Host: Baking loaves of bread at home with a starter.")
    browser.find_element(By.NAME, "save").click()
    WebDriverWait(browser, 20).until(lambda b: "/new/" not in b.current_url)

    def similar_listed(driver) -> bool:
        driver.get(script_url)
        return (
            WebDriverWait(driver, 20).until(
                lambda b: (
                    b.find_elements(By.CSS_SELECTOR, "ul.similar-scripts") and b.find_element(By.ID, "similar").text
                )
            )
            and "Baking loaves" in driver.find_element(By.ID, "similar").text
        )

    WebDriverWait(browser, 60, poll_frequency=2).until(similar_listed)


def test_select_words_rewrite_them_see_the_diff_and_accept_only_them(live_stack, browser):  # noqa: F811
    LLM.answers.clear()  # the module's fake is shared with other tests of the stack
    LLM.reply("Host: needs a bubbly starter.")
    sign_up(browser, live_stack, "selector@example.com")
    write_script(browser, live_stack, "Sourdough", BREAD)
    body = browser.find_element(By.NAME, "body")
    start = BREAD.index("needs a lively starter.")
    # As a creator's drag would: the editor's selection, then the event the page listens to.
    browser.execute_script(
        "arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[2]);"
        "arguments[0].dispatchEvent(new Event('select', {bubbles: true}));",
        body, start, start + len("needs a lively starter."),
    )  # fmt: skip
    browser.find_element(By.CSS_SELECTOR, "#rewrite-tools summary").click()
    assert browser.find_element(By.ID, "rewrite-scope-selection").is_selected()
    assert "needs a lively starter." in browser.find_element(By.ID, "rewrite-selection-preview").text
    Select(browser.find_element(By.NAME, "tool")).select_by_value("punchier")
    browser.find_element(By.ID, "rewrite-suggest").click()
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#rewrite-suggestion, #rewrite-error"))
    diff = browser.find_element(By.CSS_SELECTOR, "#rewrite-suggestion .rewrite-diff").text
    assert "Sourdough bread" in diff and "bubbly" in diff, diff
    body.send_keys(Keys.CONTROL, Keys.END)  # an edit elsewhere is kept by Accept
    body.send_keys(" Really.")
    browser.find_element(By.ID, "rewrite-accept").click()
    assert body.get_attribute("value") == (
        "Host: Sourdough bread needs a bubbly starter.\nGuest: And patience with the dough! Really."
    )
    assert not browser.find_elements(By.ID, "rewrite-suggestion")
