"""The accessibility check every journey relies on checks the page an action led to.

A server that commits a response and then takes a moment to send the HTML is what a busy CI
host is: the click returns before the next page is parsed. The check must wait for that page
and report its violations, not fail on an empty document (CI, stop 22).
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.axe import assert_accessible

FIRST = (
    '<!doctype html><html lang="sv"><title>Start</title>'
    '<main><h1>Start</h1><a href="/nasta">Nästa</a></main></html>'
)
# An image without alt text: a WCAG 2.1 A violation the check must find on this page.
SLOW = (
    '<!doctype html><html lang="sv"><title>Nästa</title>'
    '<main><h1>Nästa</h1><img src="data:,"></main></html>'
)


class SlowSecondPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        if self.path == "/nasta":
            self.wfile.flush()
            time.sleep(0.5)
            self.wfile.write(SLOW.encode())
        else:
            self.wfile.write(FIRST.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSecondPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_it_checks_the_page_a_click_led_to_once_it_has_loaded(page, slow_server):
    page.goto(f"{slow_server}/")
    assert_accessible(page)

    page.get_by_role("link", name="Nästa").click()
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "/nasta" in str(failure.value)
    assert "image-alt" in str(failure.value)
