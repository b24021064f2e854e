# Everything here is local, yet on two busy cores a page behind a poll has been seen to take
# over 5 s (CI beside other work): 10 s for an action or an expectation, then it fails.
BROWSER_TIMEOUT_MS = 10_000
