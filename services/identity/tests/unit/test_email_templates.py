"""Mail templates and the sender's pure parts."""

from __future__ import annotations

from datetime import timedelta

from identity.email.models import OutgoingEmail
from identity.email.sender import build_message, retry_delay
from identity.email.templates import password_reset_email, verification_email

TOKEN = "abcDEF123_-" * 3 + "xyzw123456"


def test_verification_mail_carries_link_and_code_in_both_parts() -> None:
    mail = verification_email(
        name="Ada", token=TOKEN, base_url="https://app.example/", valid_for_s=48 * 3600
    )
    link = f"https://app.example/verify-email?token={TOKEN}"
    for body in (mail.text, mail.html):
        assert link in body
        assert TOKEN in body
        assert "48 hours" in body


def test_reset_mail_escapes_the_name_in_html_only() -> None:
    mail = password_reset_email(
        name="<script>x</script>", token=TOKEN, base_url="https://a.example", valid_for_s=1800
    )
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert "<script>x</script>" in mail.text
    assert "30 minutes" in mail.text
    assert mail.subject == "Reset your password"


def test_retry_delay_doubles_up_to_the_cap() -> None:
    delays = [retry_delay(n, base_s=30, max_s=200) for n in range(1, 6)]
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 200, 200)]


def test_message_is_multipart_alternative() -> None:
    row = OutgoingEmail(
        id=1, to_address="ada@example.com", subject="Hi", text_body="plain", html_body="<p>h</p>"
    )
    message = build_message(row, sender="Fitness <no-reply@fitness.example>")
    assert message["To"] == "ada@example.com"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None
    assert plain.get_content().strip() == "plain"
    assert html is not None
    assert "<p>h</p>" in html.get_content()
