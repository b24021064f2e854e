"""External parties answering by invitation link, without an account (förfrågan): a member
sends a request from the party's page; the guest page shows only that request and takes
the answer into the party's contact log. Depends on events, notices, accounts and
assessment."""
