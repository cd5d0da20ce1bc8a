"""Signing in: passwords, throttling, two-factor codes, and what the audit log keeps of it."""

from __future__ import annotations

from conftest import PASSWORD
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from socialdesk.accounts import two_factor
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Role


def _sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _with_authenticator(user) -> TOTPDevice:
    device = two_factor.pending_device(user)
    assert two_factor.confirm(by=Acting(user=user), user=user, device=device, code=_code(device))
    device.refresh_from_db()
    device.last_t = -1  # let the test use the current code once more
    device.save()
    return device


def test_it_signs_in_with_email_and_password_and_audits_it(people):
    client = Client()
    response = _sign_in(client, "ALEX@example.com")
    assert response.status_code == 302
    assert client.get(reverse("shell:home")).status_code == 200
    event = AuditEvent.objects.get(action="login.succeeded")
    assert event.actor == people["agent"] and event.ip == "127.0.0.1"


def test_it_says_what_is_wrong_and_audits_a_failure_without_the_password(people):
    response = _sign_in(Client(), people["agent"].email, "wrong password")
    assert "E-mail address or password is wrong." in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert event.object_repr == people["agent"].email
    assert "wrong password" not in str(event.after)
    assert event.after["password"] == "[redacted]"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_out_after_repeated_failures_even_with_the_right_password(people):
    client = Client()
    for _ in range(3):
        _sign_in(client, people["agent"].email, "wrong")
    response = _sign_in(client, people["agent"].email)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert client.get(reverse("shell:home")).status_code == 302


def test_it_asks_for_a_code_when_the_person_has_an_authenticator(people):
    device = _with_authenticator(people["agent"])
    client = Client()
    response = _sign_in(client, people["agent"].email)
    assert response["Location"] == reverse("accounts:login_two_factor")
    assert client.get(reverse("shell:home")).status_code == 302  # not signed in yet

    wrong = client.post(
        reverse("accounts:login_two_factor"),
        {"code": "000000" if _code(device) != "000000" else "111111"},
    )
    assert "This code is not valid" in wrong.content.decode()
    assert AuditEvent.objects.filter(
        action="login.failed", after__reason="wrong two-factor code"
    ).exists()

    # A person waits a moment before the next try; the device throttles quick retries.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    right = client.post(reverse("accounts:login_two_factor"), {"code": _code(device)})
    assert right.status_code == 302
    assert client.get(reverse("shell:home")).status_code == 200


def test_it_accepts_a_backup_code_only_once(people):
    user = people["agent"]
    device = two_factor.pending_device(user)
    codes = two_factor.confirm(by=Acting(user=user), user=user, device=device, code=_code(device))
    assert codes and len(codes) == 10
    first = Client()
    _sign_in(first, user.email)
    assert first.post(reverse("accounts:login_two_factor"), {"code": codes[0]}).status_code == 302
    second = Client()
    _sign_in(second, user.email)
    again = second.post(reverse("accounts:login_two_factor"), {"code": codes[0]})
    assert again.status_code == 200
    assert two_factor.backup_codes_left(user) == 9


def test_it_sends_people_whose_role_requires_two_factor_to_set_it_up(
    client_as, organisation, people
):
    organisation.two_factor_roles = [Role.AGENT]
    organisation.save()
    agent = client_as("agent")
    response = agent.get(reverse("accounts:department_list"))
    assert response["Location"] == reverse("accounts:two_factor")
    setup = agent.get(reverse("accounts:two_factor"))
    assert "requires two-factor authentication" in setup.content.decode()
    assert "<svg" in setup.content.decode()

    device = TOTPDevice.objects.get(user=people["agent"], confirmed=False)
    done = agent.post(reverse("accounts:two_factor"), {"code": _code(device)})
    assert "backup codes" in done.content.decode()
    assert agent.get(reverse("accounts:department_list")).status_code == 200
    # A role without the requirement is not bothered.
    assert client_as("viewer").get(reverse("accounts:department_list")).status_code == 200


def test_it_lets_an_admin_reset_a_lost_second_factor(client_as, people):
    _with_authenticator(people["agent"])
    client_as("admin").post(reverse("accounts:person_reset_two_factor", args=[people["agent"].pk]))
    assert not two_factor.has_device(people["agent"])
    assert _sign_in(Client(), people["agent"].email)["Location"] == "/"
    assert AuditEvent.objects.filter(action="two_factor.disabled", actor=people["admin"]).exists()


def test_it_does_not_redirect_to_another_site_after_sign_in(people):
    response = Client().post(
        reverse("accounts:login"),
        {"username": people["agent"].email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_it_sends_a_password_reset_link_that_works(people, mailoutbox):
    import re

    Client().post(reverse("accounts:password_reset"), {"email": people["agent"].email})
    assert len(mailoutbox) == 1
    found = re.search(r"https?://[^/]+(/password-reset/\S+/)", mailoutbox[0].body)
    assert found
    link = found.group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert _sign_in(Client(), people["agent"].email, "a brand new passphrase").status_code == 302


def test_it_signs_out_with_post_and_audits_it(client_as, people):
    client = client_as("agent")
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("shell:home")).status_code == 302
    assert AuditEvent.objects.filter(action="login.signed_out", actor=people["agent"]).exists()
