"""The page names of the load benchmark, shared by `locustfile.py` (which names each request
after its page) and `bench_load.py` (which reports per page). A module of its own because
importing locust patches the standard library for gevent, which the runner must not have."""

from __future__ import annotations

LOGIN = "login"
LIST = "inbox list"
FILTERS = {
    "status": "inbox list: status filter",
    "assignee": "inbox list: assigned to me",
    "account": "inbox list: channel filter",
    "tag": "inbox list: tag filter",
    "q": "inbox list: search",
}
OPEN = "conversation"
REPLY = "reply (POST)"
NOTE = "internal note (POST)"
ASSIGN = "assign (POST)"
PAGES = [LIST, *FILTERS.values(), OPEN, REPLY, NOTE, ASSIGN]
