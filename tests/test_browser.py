"""The HTML pages in a real browser (headless Chromium driven by Playwright).

Skips, saying why, only when Playwright or a Chromium binary is missing
(`.ci/run` installs Debian's chromium).  Screenshots go to pytest's tmp
folder, or to $FRAMING_SCREENSHOTS when set (how docs/ is refreshed).
"""

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from framing.cli import main

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = next((p for p in (os.environ.get("FRAMING_CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser"), "/usr/bin/chromium") if p and
                 Path(p).exists()), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary: install Debian's "
                                "chromium package (apt-get install chromium)")

ARTICLE = ("Harbour Authority Rejects Claims\n"
           "The authority said the fees were approved after consultation. "
           "These baseless claims are politically motivated. <script>window.pwned = 1</script>\n"
           "We call on the council to freeze the fees. The authority has never overcharged "
           "anyone.\n")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("FRAMING_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, [u for u in requests if u != path.as_uri()]


def test_article_view(browser, tmp_path, capsys, model_file):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE)
    html = tmp_path / "article.html"
    assert main(["score", str(article), "--format", "html", "-o", str(html),
                 "--model", str(model_file)]) == 0
    n = 5
    page, requests = open_page(browser, html)
    assert requests == []                                    # no network request at all
    assert page.evaluate("window.pwned") is None             # the article's script never ran
    assert "<script>window.pwned = 1</script>" in page.inner_text(".article")
    spans = page.locator(".article .s")
    assert spans.count() == n
    for i in range(n):                                       # every sentence highlighted
        colour = spans.nth(i).evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator(".legend .legend-item").count() == 4
    bars = page.locator("svg.chart rect")
    assert bars.count() == 4 and bars.first.bounding_box()["height"] > 0
    tip = spans.nth(1).locator(".tip")
    assert not tip.is_visible()
    spans.nth(1).focus()                                     # keyboard focus shows the evidence
    assert tip.is_visible() and "evidence:" in tip.inner_text()
    page.screenshot(path=str(shots(tmp_path) / "article.png"))


def test_corpus_report(browser, tmp_path, capsys, model_file):
    rows = [{"url": f"u{i}", "outlet": "Daily" if i % 2 else "Wire",
             "date": f"2025-0{1 + i % 4}-15", "text": ARTICLE} for i in range(8)]
    corpus = tmp_path / "corpus.jsonl"
    pd.DataFrame(rows).to_json(corpus, orient="records", lines=True)
    out = tmp_path / "out"
    assert main(["batch", str(corpus), "--id-column", "url", "-o", str(out),
                 "--model", str(model_file), "-q"]) == 0
    report = tmp_path / "report.html"
    assert main(["report", str(out), "-o", str(report), "--by", "outlet"]) == 0
    files = tmp_path / "report_files"
    assert {p.name for p in files.glob("*.png")} == {"shares_by_outlet.png",
                                                      "acts_by_month.png"}
    page, requests = open_page(browser, report)
    assert requests == []
    charts = page.locator("figure.chart svg")
    assert charts.count() == 2
    assert all(charts.nth(i).bounding_box()["width"] > 300 for i in range(2))
    links = page.locator("a[href$='.html']")
    assert links.count() >= 1
    page.screenshot(path=str(shots(tmp_path) / "report.png"), full_page=True)
    href = links.first.get_attribute("href")
    linked, requests = open_page(browser, tmp_path / href)
    assert requests == [] and linked.locator(".article .s").count() == 5


@pytest.fixture(scope="module")
def served(model_file):
    """framing serve on a free local port, in a thread of this process."""
    import socket
    import threading
    import time

    uvicorn = pytest.importorskip("uvicorn", reason="the serve extra is not installed")
    from framing.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(model_file), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_serve_page(browser, served, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served + "/")
    page.fill("#text", ARTICLE)
    page.screenshot(path=str(shots(tmp_path) / "serve_form.png"))
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert all(u.startswith(served) for u in requests)        # nothing but this server
    assert page.evaluate("window.pwned") is None             # the pasted script never ran
    assert page.locator(".article .s").count() == 5          # every sentence highlighted
    assert page.locator(".article .hd").count() == 1         # the heading, not scored
    page.locator(".article .s").nth(1).focus()
    assert "evidence:" in page.locator(".article .s .tip").nth(1).inner_text()
    page.screenshot(path=str(shots(tmp_path) / "serve_result.png"), full_page=True)
    page.goto(served + "/")                                  # a file instead of pasted text
    upload = tmp_path / "upload.txt"
    upload.write_text(ARTICLE)
    page.set_input_files("#files", str(upload))
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text() == "upload.txt"
    assert page.locator(".article .s").count() == 5
