"""End to end in headless Chromium: home → taxonomy node → facet → search "LoRA" → paper → .bib download;
and every page at 400 px wide without sideways scrolling, the facets behind a button.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y
chromium chromium-driver``); skipped with that reason when /usr/bin/chromium
is absent. The server is a real uvicorn on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from support.webfixture import LORA_KEY, fixture_db  # noqa: F401

from webapp.pagetable import example_urls

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium chromium-driver)"),
]


@pytest.fixture(scope="module")
def server(fixture_db):
    import uvicorn

    from webapp.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(fixture_db), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_and_downloads():
    pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="clatlas-chromium-"))
    downloads = Path(tempfile.mkdtemp(prefix="clatlas-downloads-"))
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(120)  # plotly.js is parsed on a shared, busy machine
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    except Exception:  # older drivers: the prefs above are enough
        pass
    yield driver, downloads
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    shutil.rmtree(downloads, ignore_errors=True)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_browse_search_open_download(server, browser_and_downloads):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    driver, downloads = browser_and_downloads
    wait = WebDriverWait(driver, 20)

    # 1. home: counts, tree, and the sunburst drawn by the locally served plotly.js
    driver.get(server + "/")
    assert "CL Atlas" in driver.title
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-figure='fig-sunburst'] .main-svg")))

    # 2. follow a taxonomy node: offline → TIL → LLM → parameter-efficient
    node = driver.find_element(By.CSS_SELECTOR, "#taxonomy-tree a[href='/papers?setting=offline&increment=TIL&family=LLM&technique=parameter-efficient']")
    node.click()
    wait.until(EC.url_contains("/papers?"))
    assert _query(driver.current_url) == {"setting": ["offline"], "increment": ["TIL"], "family": ["LLM"], "technique": ["parameter-efficient"]}
    titles = [a.get_attribute("href").rsplit("/", 1)[1] for a in driver.find_elements(By.CSS_SELECTOR, "a.paper-title")]
    assert sorted(titles) == sorted(["wang2023orthogonal", LORA_KEY])

    # 3. apply a facet: has code = yes (both have code; the URL keeps every filter)
    driver.find_element(By.CSS_SELECTOR, "[data-facet='has_code'] li:first-child a").click()
    wait.until(EC.url_contains("has_code=1"))
    assert _query(driver.current_url)["family"] == ["LLM"]

    # 4. search "LoRA" from the filter form: the query joins the facets and matches are highlighted
    box = driver.find_element(By.CSS_SELECTOR, ".facet-form input[name='q']")
    box.clear()
    box.send_keys("LoRA")
    driver.find_element(By.CSS_SELECTOR, ".facet-form button[type='submit']").click()
    wait.until(EC.url_contains("q=LoRA"))
    marks = driver.find_elements(By.CSS_SELECTOR, ".paper-item mark")
    assert marks and all(m.text.lower() == "lora" for m in marks)
    assert _query(driver.current_url)["has_code"] == ["1"]

    # 5. open a paper and download its BibTeX
    driver.find_element(By.CSS_SELECTOR, f"a.paper-title[href='/papers/{LORA_KEY}']").click()
    wait.until(EC.presence_of_element_located((By.ID, "bibtex")))
    assert driver.find_element(By.CSS_SELECTOR, "h1.paper-title").text.startswith("Low-Rank Experts")
    assert driver.find_element(By.CSS_SELECTOR, "button.copy").is_displayed()  # enhancement: 127.0.0.1 is a secure context
    driver.find_element(By.ID, "bib-download").click()
    target = downloads / f"{LORA_KEY}.bib"
    deadline = time.time() + 20
    while not target.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert target.exists(), f"no download in {downloads}: {list(downloads.iterdir())}"
    text = target.read_text(encoding="utf-8")
    assert text.startswith(f"@inproceedings{{{LORA_KEY},")

    import bibtexparser

    lib = bibtexparser.parse_string(text)
    assert [e.key for e in lib.entries] == [LORA_KEY] and not lib.failed_blocks

    # no script error or CSP violation anywhere on the way (charts page included)
    driver.get(server + "/charts")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-figure='fig-heatmap'] .main-svg")))
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe


# every kind of page, with content that makes tables and charts wide
NARROW_PAGES = example_urls(html_only=True) + [  # every page of webapp/pagetable.py, plus wide content and the 404 page
    f"/papers/{LORA_KEY}",
    f"/compare?method=paper:wang2023orthogonal&method=paper:{LORA_KEY}",
    "/papers/nope",
]


def _settle(driver) -> None:
    """Wait until the page has loaded and its plotly figures (if any) are drawn, so their width counts."""
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    wait.until(
        lambda d: d.execute_script("return [...document.querySelectorAll('[data-figure]')].every(el => !window.Plotly || el.querySelector('.main-svg'))")
    )


def test_no_sideways_scrolling_at_400px(server, browser_and_downloads):
    from selenium.webdriver.common.by import By

    driver, _ = browser_and_downloads
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        for url in NARROW_PAGES:
            driver.get(server + url)
            _settle(driver)
            scroll, inner = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert inner == 400 and scroll <= inner, f"{url}: the page is {scroll} px wide in a {inner} px window"

        # the facets are behind a button (a <details>, no JavaScript needed) and open with one click
        driver.get(server + "/papers?family=LLM")
        _settle(driver)
        details = driver.find_element(By.CSS_SELECTOR, "details.filters")
        summary = details.find_element(By.TAG_NAME, "summary")
        facet = driver.find_element(By.CSS_SELECTOR, "[data-facet='family'] a")
        assert details.get_attribute("open") is None and summary.is_displayed() and not facet.is_displayed()
        assert "1 active" in summary.text
        summary.click()
        assert details.get_attribute("open") is not None and facet.is_displayed()
        scroll, inner = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_facets_are_open_on_wide_screens(server, browser_and_downloads):
    from selenium.webdriver.common.by import By

    driver, _ = browser_and_downloads
    driver.get(server + "/papers")
    _settle(driver)
    assert driver.find_element(By.CSS_SELECTOR, "[data-facet='family'] a").is_displayed()
    assert not driver.find_element(By.CSS_SELECTOR, "details.filters > summary").is_displayed()


# --------------------------------------------------------------------------- the static site (clatlas site), from a sub-path


@pytest.fixture(scope="module")
def static_site(fixture_db, tmp_path_factory):
    """The static site under /clatlas/ of a plain file server, as a GitHub Pages project site is served."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from webapp.site import build_site

    top = tmp_path_factory.mktemp("pages")
    build_site(fixture_db, top / "clatlas")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(top)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/clatlas/"
    httpd.shutdown()
    thread.join(timeout=10)


def test_static_site_filters_and_searches_in_the_browser(static_site, browser_and_downloads):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser_and_downloads
    wait = WebDriverWait(driver, 60)
    driver.get_log("browser")  # start with an empty console

    # a facet link of the home page opens the list with the filter applied in the browser
    driver.get(static_site)
    _settle(driver)
    driver.find_element(By.CSS_SELECTOR, "#taxonomy-tree a[href='papers/?setting=offline&increment=TIL&family=LLM&technique=parameter-efficient']").click()
    wait.until(lambda d: d.execute_script("return document.documentElement.getAttribute('data-search-ready')") is not None)
    keys = [a.get_attribute("href").rstrip("/").rsplit("/", 1)[1] for a in driver.find_elements(By.CSS_SELECTOR, "a.paper-title")]
    assert sorted(keys) == sorted(["wang2023orthogonal", LORA_KEY])
    facet = driver.find_element(By.CSS_SELECTOR, "[data-facet='family'] li.selected").text
    assert "LLM" in facet and facet.endswith("2")

    # search from the header box: the query joins the filters, matches are marked, a title links to its page
    box = driver.find_element(By.CSS_SELECTOR, "header .search input[name='q']")
    box.clear()
    box.send_keys("orthogonal")
    box.submit()
    wait.until(lambda d: "q=orthogonal" in d.current_url and d.execute_script("return document.documentElement.getAttribute('data-search-ready')") == "1")
    assert [m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, ".paper-item mark")][:1] == ["orthogonal"]
    driver.find_element(By.CSS_SELECTOR, "a.paper-title").click()
    wait.until(lambda d: "/clatlas/papers/wang2023orthogonal/" in d.current_url)
    assert driver.find_element(By.CSS_SELECTOR, "h1.paper-title").text.startswith("Orthogonal Subspace")

    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe
