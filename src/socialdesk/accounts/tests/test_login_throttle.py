"""Login throttling: failures count per address as sign-in reads it, and per network."""

from __future__ import annotations

from conftest import PASSWORD
from django.test import Client, override_settings
from django.urls import reverse

from socialdesk.accounts.models import User

VARIANTS = [
    "Alex@Example.com",
    " alex@example.com",
    "alex@example.com ",
    "ALEX@EXAMPLE.COM",
    "alex@EXAMPLE.com",
    " Alex@example.COM ",
    "aLeX@example.com",
    "alex@Example.Com",
    "ALEX@example.com",
    "alex@example.com",
]


def _sign_in(client: Client, email: str, password: str = PASSWORD, language: str = "en"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        headers={"accept-language": language},
    )


def _signed_in(client: Client) -> bool:
    return client.get(reverse("shell:home")).status_code == 200


def test_it_counts_failures_in_every_spelling_of_an_address_toward_one_lockout(people):
    client = Client()
    answers = [_sign_in(client, variant, "wrong").status_code for variant in VARIANTS[:5]]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    for variant in ["Alex@Example.com", " alex@example.com", "alex@example.com "]:
        response = _sign_in(client, variant)
        assert response.status_code == 429, variant
        assert not _signed_in(client)


def test_it_locks_out_forty_guesses_spread_over_ten_spellings(people):
    client = Client()
    answers = [_sign_in(client, VARIANTS[i % 10], f"guess {i}").status_code for i in range(40)]
    assert answers.count(429) >= 35
    assert _sign_in(client, "alex@example.com").status_code == 429
    assert not _signed_in(client)


def test_it_still_lets_a_colleague_on_the_same_network_sign_in(people):
    attacker = Client()
    for variant in VARIANTS:
        _sign_in(attacker, variant, "wrong")
    assert _sign_in(attacker, "alex@example.com").status_code == 429

    colleague = Client()
    assert _sign_in(colleague, "Max@Example.com ").status_code == 302
    assert _signed_in(colleague)


def test_it_shows_the_lockout_page_in_the_persons_language(people):
    client = Client()
    for _ in range(5):
        _sign_in(client, "alex@example.com", "wrong", language="de")
    response = _sign_in(client, "Alex@example.com", language="de")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Zu viele Versuche" in page
    assert "Too many attempts" not in page


@override_settings(LOGIN_NETWORK_FAILURE_LIMIT=20)
def test_it_throttles_many_failures_across_many_addresses_from_one_network(people):
    # A colleague signed in from the office before the attack began.
    office = Client()
    assert _sign_in(office, "max@example.com").status_code == 302

    attacker = Client()
    answers = [_sign_in(attacker, f"person{n}@example.com", "guess").status_code for n in range(30)]
    assert answers[:20] == [200] * 20
    assert answers[20:] == [429] * 10
    throttled = _sign_in(attacker, "someone.else@example.com", "guess")
    assert "from your network" in throttled.content.decode()
    # Even the right password of an account never used from this network waits.
    User.objects.create_user("new@example.com", PASSWORD, full_name="New Person")
    assert _sign_in(Client(), "new@example.com").status_code == 429

    # People who signed in from this network before keep working.
    colleague = Client()
    assert _sign_in(colleague, "MAX@example.com").status_code == 302
    assert _signed_in(colleague)

    # Another network is not affected.
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert _sign_in(elsewhere, "new@example.com").status_code == 302
