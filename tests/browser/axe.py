from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def assert_accessible(page):
    """Fail on any WCAG 2.1 A/AA violation axe-core finds on the page as it is now.

    A click on a link returns once the next page's response is committed, before its HTML is
    parsed; axe run then finds no document element and fails for a reason that is not the page's.
    Waiting for the load event makes a caller check the page a navigation led to; after an htmx
    request the page stays loaded, so the caller waits for its swap with `expect` first.
    """
    page.wait_for_load_state("load")
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
