"""Group-robot addresses (WeCom, DingTalk): which may be stored and called, how they are shown.

A unit's robot address is typed by an office, and the reminder run POSTs to it from the
server: any address would let an office make the server call its own network. Only the
robots' own hosts over https are accepted, plus one intranet relay when the operator sets
``ROBOT_RELAY_URL`` (its origin, e.g. ``https://robot-relay.intranet:8443``; off by
default). The key in the address is a secret of the group: it is shown masked,
to everyone, and is not kept in the change history.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Host → flavour of the message it takes.
ROBOT_HOSTS = {
    "qyapi.weixin.qq.com": "wecom",
    "oapi.dingtalk.com": "dingtalk",
}
RELAY_FLAVOUR = "text"  # a relay gets the plain text message both robots accept
MASK = "****"
SHOWN_TAIL = 4


DEFAULT_PORTS = {"https": 443, "http": 80}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) address without credentials, else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or parts.username or parts.password or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def relay_origin() -> tuple[str, str, int] | None:
    return _origin(getattr(settings, "ROBOT_RELAY_URL", "") or "")


def _private_origins() -> dict[str, str]:
    """The robots of private deployments (政务微信, a provincial DingTalk), by origin."""
    return dict(getattr(settings, "ROBOT_PRIVATE_ORIGINS", {}) or {})


def robot_flavour(url: str) -> str | None:
    """The message flavour of an allowed robot address, or None for one not allowed."""
    origin = _origin(url)
    if origin is None:
        return None
    if origin[0] == "https" and origin[2] == 443 and origin[1] in ROBOT_HOSTS:
        return ROBOT_HOSTS[origin[1]]
    private = {_origin(o): flavour for o, flavour in _private_origins().items()}
    if origin in private:
        return private[origin]
    if origin == relay_origin():
        return RELAY_FLAVOUR
    return None


def validate_robot_url(url: str) -> None:
    """Refuse an address that is not a WeCom or DingTalk robot (or the configured relay)."""
    if not url:
        return
    if robot_flavour(url) is None:
        hosts = "、".join(sorted(ROBOT_HOSTS))
        raise ValidationError(
            _(
                "Only the group robots of WeCom or DingTalk are accepted: an https:// address "
                "on %(hosts)s."
            )
            % {"hosts": hosts},
            code="robot_host",
        )


def mask_robot_url(url: str) -> str:
    """The address with its key hidden: what anyone is shown of it."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    query = urlencode(
        [(name, _mask(value)) for name, value in parse_qsl(parts.query, keep_blank_values=True)],
        safe="*",
    )
    path = "/".join(_mask(s) if len(s) > 16 else s for s in parts.path.split("/"))
    return urlunsplit((parts.scheme, parts.hostname or "", path, query, ""))


def _mask(secret: str) -> str:
    if len(secret) <= SHOWN_TAIL * 2:
        return MASK
    return MASK + secret[-SHOWN_TAIL:]
