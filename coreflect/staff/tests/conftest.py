"""The people pages' helpers: a second factor used some minutes ago in the test client's
sign-in (the session key the sign-in code sets), and reading a page's text. The root conftest
freezes the clock (time.time() included) on a Monday morning, 23 November 2026."""

import datetime as dt
import html
import time

import pytest

from coreflect.signin.state import SECOND_FACTOR_AT

TODAY = dt.date(2026, 11, 23)


def text(response) -> str:
    return response.content.decode()


def words(response) -> str:
    """The page's text with its HTML entities read (&quot; as ")."""
    return html.unescape(text(response))


@pytest.fixture
def second_factor():
    """second_factor(client, minutes_ago=1): this sign-in used its second factor then."""

    def used(client, minutes_ago: float = 1):
        session = client.session
        session[SECOND_FACTOR_AT] = time.time() - minutes_ago * 60
        session.save()
        return client

    return used
