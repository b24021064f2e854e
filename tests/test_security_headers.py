import re


def test_pages_carry_a_strict_content_security_policy(client, cast):
    client.force_login(cast.kommunchef)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_htmx_comes_from_our_own_static_files_and_no_script_is_inline(client, cast):
    client.force_login(cast.kommunchef)
    html = client.get("/").text
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        '<script src="/static/vendor/htmx-2.0.11.min.js" defer>',
        # An htmx answer that is not a swap (ended session, stale token, error) is shown.
        '<script src="/static/js/answers.js" defer>',
        # Enter and a second click do not send a form by accident (issue 13).
        '<script src="/static/js/forms.js" defer>',
    ]
    assert "<style" not in html
    assert " style=" not in html
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html


def test_csrf_token_reaches_htmx_through_hx_headers(client, cast):
    client.force_login(cast.kommunchef)
    html = client.get("/").text
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'>", html)
