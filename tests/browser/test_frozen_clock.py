"""The browser tests run on a frozen clock: the demo, the test and the live server's thread all
see the same instant, whatever the real day or hour."""

import datetime as dt
from email.utils import parsedate_to_datetime

from browser_helpers import FROZEN_AT
from django.utils import timezone


def test_the_demo_and_the_live_server_run_on_the_frozen_clock(demo, page):
    assert demo.today == FROZEN_AT.date() == dt.date(2026, 11, 23)
    assert timezone.now() == FROZEN_AT
    response = page.goto("/accounts/login/")
    # The live server stamps each response with its own clock (a thread of this process).
    assert parsedate_to_datetime(response.headers["date"]) == FROZEN_AT
