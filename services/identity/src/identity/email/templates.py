"""Mail templates, plain text and HTML (``string.Template``; values are HTML-escaped in HTML).

Kept in code rather than files: there are two mails, and a typo in a placeholder fails the unit
tests instead of a send at 3 a.m. (``Template.substitute`` raises on a missing key).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from string import Template
from urllib.parse import urlencode


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


_VERIFY_TEXT = Template(
    """Hello $name,

please confirm your email address for your Fitness account by opening this link:

$link

Or enter this code in the app: $token

The link is valid for $valid_for. If you did not create an account, ignore this mail.
"""
)

_VERIFY_HTML = Template(
    """<!doctype html>
<html><body>
<p>Hello $name,</p>
<p>please confirm your email address for your Fitness account:</p>
<p><a href="$link">Confirm my email address</a></p>
<p>Or enter this code in the app: <code>$token</code></p>
<p>The link is valid for $valid_for. If you did not create an account, ignore this mail.</p>
</body></html>
"""
)

_RESET_TEXT = Template(
    """Hello $name,

someone (hopefully you) asked to reset the password of your Fitness account.
Choose a new password here:

$link

Or enter this code in the app: $token

The link is valid for $valid_for and works once. If you did not ask for this, ignore this mail:
your password stays as it is.
"""
)

_RESET_HTML = Template(
    """<!doctype html>
<html><body>
<p>Hello $name,</p>
<p>someone (hopefully you) asked to reset the password of your Fitness account.</p>
<p><a href="$link">Choose a new password</a></p>
<p>Or enter this code in the app: <code>$token</code></p>
<p>The link is valid for $valid_for and works once. If you did not ask for this, ignore this
mail: your password stays as it is.</p>
</body></html>
"""
)


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _link(base_url: str, path: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{path}?{urlencode({'token': token})}"


def _render(
    subject: str, text: Template, markup: Template, values: dict[str, str]
) -> RenderedEmail:
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    return RenderedEmail(
        subject=subject, text=text.substitute(values), html=markup.substitute(escaped)
    )


def verification_email(*, name: str, token: str, base_url: str, valid_for_s: int) -> RenderedEmail:
    values = {
        "name": name,
        "token": token,
        "link": _link(base_url, "verify-email", token),
        "valid_for": _duration(valid_for_s),
    }
    return _render("Confirm your email address", _VERIFY_TEXT, _VERIFY_HTML, values)


def password_reset_email(
    *, name: str, token: str, base_url: str, valid_for_s: int
) -> RenderedEmail:
    values = {
        "name": name,
        "token": token,
        "link": _link(base_url, "reset-password", token),
        "valid_for": _duration(valid_for_s),
    }
    return _render("Reset your password", _RESET_TEXT, _RESET_HTML, values)
