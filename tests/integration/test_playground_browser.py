"""The web playground (``/``) and the API documentation (``/docs``) in a real headless Chromium
against a live server: a generated scan read through the trial, its word boxes drawn where the
words are, the downloads valid, credentials and a PDF, refusals in words, and no request to
any other host."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import ImageFont
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import PANGRAM_LINES, LiveServer, png_bytes, text_page

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: set to a path to save a screenshot of the page after a recognition (docs/playground.png)
SCREENSHOT_ENV = "OCRHIVE_PLAYGROUND_SCREENSHOT"
#: text_page's font size: the first line starts at (SIZE, SIZE), lines are 1.6 × SIZE apart
SIZE = 36
WIDTH = 1400


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("playground") / "data",
        # short server-side waits, so the page's polling shows the task's status changing
        env={"OCRHIVE_GET_WAIT_SECONDS": "1"},
    )
    try:
        live.start()
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(
            "The playground tests need Chromium and its WebDriver: "
            "sudo apt-get install chromium chromium-driver (or run scripts/test-system-deps.sh)"
        )
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,1100",
        # no background traffic of the browser's own (updates, safe browsing, metrics)
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")  # Selenium Manager must not look anything up
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: WebDriver) -> list[str]:
    """Every URL the browser asked for since the last call (DevTools network events, so
    requests that failed or were blocked count too)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def assert_only_this_server(driver: WebDriver, server: LiveServer) -> None:
    urls = requested_urls(driver)
    assert any(u.startswith(server.url) for u in urls), urls
    elsewhere = [u for u in urls if urlsplit(u).scheme not in ("data", "blob", "about")]
    elsewhere = [u for u in elsewhere if not u.startswith(server.url + "/")]
    assert elsewhere == [], f"requests to other hosts: {elsewhere}"
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert all(str(r).startswith(server.url) or str(r).startswith("blob:") for r in resources)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def open_playground(driver: WebDriver, server: LiveServer) -> None:
    requested_urls(driver)  # start counting afresh
    driver.get_log("browser")
    driver.get(f"{server.url}/")
    # the language menu is filled from the server, installed languages first
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "const g = document.querySelector('#language optgroup');"
            "return g && g.label.startsWith('Installed') && "
            "[...g.children].some(o => o.value === 'English');"
        )
    )


def recognize(driver: WebDriver, file: Path, timeout: float = 60) -> None:
    driver.find_element(By.ID, "file").send_keys(str(file))
    driver.find_element(By.ID, "run").click()
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body.dataset.state") == "done"
    )


def fetch_bytes(driver: WebDriver, href: str) -> bytes:
    """The bytes behind a download link, read inside the page (blob: URLs live there)."""
    result: list[int] = driver.execute_async_script(
        "const done = arguments[1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer())"
        ".then(b => done(Array.from(new Uint8Array(b))), e => done(String(e)));",
        href,
    )
    assert isinstance(result, list), result
    return bytes(result)


def download(driver: WebDriver, kind: str) -> bytes:
    link = driver.find_element(By.CSS_SELECTOR, f'#downloads a[data-kind="{kind}"]')
    href = link.get_attribute("href") or ""
    assert href.startswith("blob:"), href
    return fetch_bytes(driver, href)


def boxes(driver: WebDriver) -> list[dict[str, Any]]:
    """Each drawn word box: its word, confidence and place as fractions of the shown image."""
    found: list[dict[str, Any]] = driver.execute_script(
        "const img = document.getElementById('page-image').getBoundingClientRect();"
        "return [...document.querySelectorAll('#boxes .box')].map(b => {"
        "  const r = b.getBoundingClientRect();"
        "  return {word: b.dataset.word, confidence: Number(b.dataset.confidence),"
        "    left: (r.left - img.left) / img.width, top: (r.top - img.top) / img.height,"
        "    right: (r.right - img.left) / img.width, bottom: (r.bottom - img.top) / img.height,"
        "    shownWidth: img.width};"
        "});"
    )
    return found


def words_found(text: str) -> float:
    expected = " ".join(PANGRAM_LINES).split()
    read = text.split()
    return sum(1 for w in expected if w in read) / len(expected)


def test_trial_reads_a_scan_draws_its_words_and_offers_the_results(
    server: LiveServer, browser: WebDriver, tmp_path: Path
) -> None:
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes(text_page(size=SIZE, width=WIDTH)))
    open_playground(browser, server)
    browser.find_element(By.ID, "want-Hocr").click()
    recognize(browser, scan)

    problems = browser.find_element(By.ID, "problems")
    assert problems.get_attribute("hidden"), problems.text
    statuses = browser.find_elements(By.CSS_SELECTOR, "#status li")
    assert [s.get_attribute("data-status") for s in statuses] == ["Completed", "Completed"]
    assert "Text + Pdf + Hocr" in statuses[0].text and "JSON" in statuses[1].text

    # the text, with the trial's one word in ten masked
    text = browser.find_element(By.ID, "text").text
    assert words_found(text) >= 0.75, text
    assert "*" in text
    assert "masked" in browser.find_element(By.ID, "warnings").text

    # word boxes over the uploaded image, where text_page drew the words
    drawn = boxes(browser)
    assert len(drawn) >= 30
    for box in drawn:
        assert 0 <= box["left"] < box["right"] <= 1.001 and 0 <= box["top"] < box["bottom"] <= 1.001
    height = text_page(size=SIZE, width=WIDTH).height
    quick = next(b for b in drawn if b["word"] == "quick")
    font = ImageFont.load_default(size=SIZE)
    assert abs(quick["left"] * WIDTH - (SIZE + font.getlength("The "))) < 15
    assert SIZE <= quick["top"] * height < SIZE * 1.6
    assert browser.find_element(By.ID, "page-note").text.startswith("Your image")

    # hovering a box names its word and confidence
    box = browser.find_elements(By.CSS_SELECTOR, "#boxes .box")[drawn.index(quick)]
    ActionChains(browser).move_to_element(box).perform()
    tip = browser.find_element(By.ID, "tip")
    WebDriverWait(browser, 5).until(lambda d: tip.is_displayed())
    assert tip.text == f"quick — confidence {quick['confidence']:.1f} %"

    # the downloads are the server's results
    pdf = download(browser, "Pdf")
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]
    assert b"ocrx_word" in download(browser, "Hocr")
    doc = json.loads(download(browser, "JSON"))
    assert doc["pages"][0]["width"] == WIDTH
    assert words_found(download(browser, "Text").decode()) >= 0.75

    if os.environ.get(SCREENSHOT_ENV):
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(os.environ[SCREENSHOT_ENV])
    assert_only_this_server(browser, server)


def test_credentials_read_a_pdf_in_full(
    server: LiveServer, browser: WebDriver, tmp_path: Path
) -> None:
    creds = server.add_client("browser")
    document = tmp_path / "letter.pdf"
    text_page(size=SIZE, width=WIDTH).save(document, format="PDF", resolution=200)
    open_playground(browser, server)
    browser.find_element(By.ID, "client-id").send_keys(creds["client_id"])
    browser.find_element(By.ID, "client-secret").send_keys(creds["client_secret"])
    recognize(browser, document)

    problems = browser.find_element(By.ID, "problems")
    assert problems.get_attribute("hidden"), problems.text
    text = browser.find_element(By.ID, "text").text
    assert words_found(text) >= 0.9, text
    assert "*" not in text  # no trial masking with a token
    statuses = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#status li")]
    # a PDF cannot be shown as an image: the boxes go over the server's page image
    assert len(statuses) == 3 and statuses[2].startswith("page image: Completed"), statuses
    assert browser.find_element(By.ID, "page-note").text.startswith("The page as the server")
    assert len(boxes(browser)) >= 30
    assert download(browser, "Pdf").startswith(b"%PDF-")
    assert download(browser, "ImagePNG").startswith(b"\x89PNG")
    assert_only_this_server(browser, server)


def test_refusals_are_shown_in_words(
    server: LiveServer, browser: WebDriver, tmp_path: Path
) -> None:
    document = tmp_path / "letter.pdf"
    text_page(["Short page"], size=SIZE).save(document, format="PDF")
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes(text_page(["Short page"], size=SIZE)))

    # a PDF without credentials: the page explains, nothing is sent
    open_playground(browser, server)
    recognize(browser, document, timeout=10)
    problem = browser.find_element(By.ID, "problems").text
    assert "RecognizePdf" in problem and "client id and secret" in problem
    assert not any("/v5.0/ocr/" in u for u in requested_urls(browser))

    # a wrong secret: the token endpoint's refusal, in words
    open_playground(browser, server)
    browser.find_element(By.ID, "client-id").send_keys("nobody")
    browser.find_element(By.ID, "client-secret").send_keys("wrong")
    recognize(browser, scan, timeout=20)
    problem = browser.find_element(By.ID, "problems").text
    assert "HTTP 400" in problem and "not accepted" in problem, problem

    # a language without a model: the task's error message says what to install
    open_playground(browser, server)
    missing = browser.execute_script(
        "const g = document.querySelectorAll('#language optgroup')[1];return g.children[0].value;"
    )
    browser.execute_script("document.getElementById('language').value = arguments[0]", missing)
    browser.find_element(By.ID, "want-Pdf").click()
    recognize(browser, scan)
    problem = browser.find_element(By.ID, "problems").text
    assert "apt-get install tesseract-ocr-" in problem, problem
    status = browser.find_elements(By.CSS_SELECTOR, "#status li")
    assert status[0].get_attribute("data-status") == "Error"


def test_docs_work_offline(server: LiveServer, browser: WebDriver) -> None:
    requested_urls(browser)
    browser.get_log("browser")
    browser.get(f"{server.url}/docs")
    WebDriverWait(browser, 20).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) > 10
    )
    assert "PostRecognizeImage" in browser.page_source or "RecognizeImage" in browser.page_source
    assert "/v5.0/ocrhive/languages" in browser.page_source
    assert_only_this_server(browser, server)


def test_pages_serve_only_shipped_files_under_a_strict_policy(server: LiveServer) -> None:
    for path in ("/", "/docs"):
        response = httpx.get(server.url + path, timeout=10)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'self'") and "http" not in policy
        assert "://" not in response.text  # every URL in the page is relative to this server
    for path in ("/web/app.js", "/web/style.css", "/docs/assets/swagger-ui-bundle.js"):
        assert httpx.get(server.url + path, timeout=10).status_code == 200
    for path in ("/web/..%2F__init__.py", "/web/.hidden", "/docs/assets/index.html"):
        assert httpx.get(server.url + path, timeout=10).status_code == 404, path
    languages = httpx.get(f"{server.url}/v5.0/ocrhive/languages", timeout=10).json()["languages"]
    assert {"name": "English", "installed": True} in languages
    assert len(languages) > 100 and not all(lang["installed"] for lang in languages)
    document = httpx.get(f"{server.url}/docs/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.0") and "/v5.0/ocr/RecognizeImage" in document["paths"]
