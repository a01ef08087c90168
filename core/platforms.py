"""The work platforms people already use: WeCom (企业微信, and 政务微信 at its own address)
and DingTalk (钉钉, and its provincial editions). Their server APIs, called with ``requests``.

Each platform is one small client: the application's access token (fetched with the
application's id and secret, cached in Django's cache until shortly before it expires, and
fetched again once when the platform answers that it expired or is invalid), the person
behind an OAuth code (sign-in), and the application message to a person. Every base address
is a setting, so a private deployment is one setting away; nothing here knows a product app.

Errors: ``PlatformError`` carries the platform's error code; ``transient`` says whether
trying again later may help (rate limits, the platform busy, the network).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TIMEOUT = 5  # seconds
# Error codes that mean "the token is no longer good": fetch a new one and try once more.
WECOM_TOKEN_CODES = frozenset({40014, 42001, 40001})
DINGTALK_TOKEN_CODES = frozenset({40014, 42001, 88})
# Error codes that mean "try again later" (rate limits, the platform busy).
WECOM_TRANSIENT_CODES = frozenset({-1, 45009, 45033, 45035})
DINGTALK_TRANSIENT_CODES = frozenset({-1, 90002, 90018, 130101, 130102, 43004})


class PlatformError(Exception):
    def __init__(self, message: str, *, code: Any = None, transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


class NotConfigured(PlatformError):
    pass


@dataclass(frozen=True)
class Card:
    """An application message: a title, a few lines, one link (a text card)."""

    title: str
    description: str
    url: str
    button: str = "详情"


def _call(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = requests.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except requests.Timeout as exc:
        raise PlatformError("no answer (timed out)", transient=True) from exc
    except requests.RequestException as exc:
        raise PlatformError(f"not reached ({type(exc).__name__})", transient=True) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise PlatformError(f"HTTP {response.status_code}", transient=True)
    if response.status_code >= 300:
        raise PlatformError(f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError as exc:
        raise PlatformError("the answer is not JSON", transient=True) from exc
    return answer if isinstance(answer, dict) else {}


class _Client:
    name = ""
    token_codes: frozenset[int] = frozenset()
    transient_codes: frozenset[int] = frozenset()

    @property
    def configured(self) -> bool:
        raise NotImplementedError

    def _cache_key(self) -> str:
        raise NotImplementedError

    def _fetch_token(self) -> tuple[str, int]:
        raise NotImplementedError

    def token(self, *, fresh: bool = False) -> str:
        """The application's access token, from the cache unless ``fresh``."""
        if not self.configured:
            raise NotConfigured(f"{self.name} is not configured")
        key = self._cache_key()
        if not fresh:
            cached = cache.get(key)
            if cached:
                return str(cached)
        token, expires_in = self._fetch_token()
        # Kept until five minutes before the platform's expiry (at least a minute).
        cache.set(key, token, max(60, expires_in - 300))
        return token

    def _check(self, answer: dict[str, Any]) -> dict[str, Any]:
        code = answer.get("errcode", 0)
        if code in (0, None):
            return answer
        raise PlatformError(
            f"{self.name} error code {code}",
            code=code,
            transient=code in self.transient_codes,
        )

    def call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """Call an API with the access token; a token the platform calls expired or invalid
        is fetched again once and the call repeated."""
        params = dict(kwargs.pop("params", {}))
        for fresh in (False, True):
            params["access_token"] = self.token(fresh=fresh)
            answer = _call(method, url, params=params, **kwargs)
            if answer.get("errcode") in self.token_codes and not fresh:
                logger.info(
                    "%s access token refused (code %s): fetched again",
                    self.name,
                    answer.get("errcode"),
                )
                continue
            return self._check(answer)
        raise AssertionError("unreachable")  # pragma: no cover


class WeCom(_Client):
    """企业微信 / 政务微信: one self-built application (corp id, agent id, secret)."""

    name = "WeCom"
    token_codes = WECOM_TOKEN_CODES
    transient_codes = WECOM_TRANSIENT_CODES

    @property
    def base(self) -> str:
        return str(settings.WECOM_API_BASE).rstrip("/")

    @property
    def configured(self) -> bool:
        return bool(settings.WECOM_CORP_ID and settings.WECOM_SECRET and settings.WECOM_AGENT_ID)

    def _cache_key(self) -> str:
        return f"platform-token:wecom:{settings.WECOM_CORP_ID}:{settings.WECOM_AGENT_ID}"

    def _fetch_token(self) -> tuple[str, int]:
        answer = self._check(
            _call(
                "GET",
                f"{self.base}/cgi-bin/gettoken",
                params={"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET},
            )
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))

    def authorize_url(self, *, redirect_uri: str, state: str, in_app: bool) -> str:
        """Inside WeCom's own browser, the silent OAuth page; elsewhere, the QR code page."""
        if in_app:
            query = urlencode(
                {
                    "appid": settings.WECOM_CORP_ID,
                    "redirect_uri": redirect_uri,
                    "response_type": "code",
                    "scope": "snsapi_base",
                    "state": state,
                    "agentid": settings.WECOM_AGENT_ID,
                }
            )
            return f"{settings.WECOM_OAUTH_URL}?{query}#wechat_redirect"
        query = urlencode(
            {
                "login_type": "CorpApp",
                "appid": settings.WECOM_CORP_ID,
                "agentid": settings.WECOM_AGENT_ID,
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{settings.WECOM_QR_URL}?{query}"

    def user_id_from_code(self, code: str) -> str:
        answer = self.call("GET", f"{self.base}/cgi-bin/auth/getuserinfo", params={"code": code})
        user_id = answer.get("userid") or answer.get("UserId") or ""
        if not user_id:
            raise PlatformError("not a member of the organisation", code="no-userid")
        return str(user_id)

    def send_card(self, *, user_ids: list[str], card: Card) -> dict[str, Any]:
        payload = {
            "touser": "|".join(user_ids),
            "msgtype": "textcard",
            "agentid": int(settings.WECOM_AGENT_ID),
            "textcard": {
                "title": card.title[:128],
                "description": _truncate_bytes(card.description, 512),
                "url": card.url,
                "btntxt": card.button,
            },
        }
        return self.call("POST", f"{self.base}/cgi-bin/message/send", json=payload)


class DingTalk(_Client):
    """钉钉 (and its provincial editions): one internal application (app key and secret)."""

    name = "DingTalk"
    token_codes = DINGTALK_TOKEN_CODES
    transient_codes = DINGTALK_TRANSIENT_CODES

    @property
    def base(self) -> str:
        return str(settings.DINGTALK_API_BASE).rstrip("/")

    @property
    def new_base(self) -> str:
        return str(settings.DINGTALK_NEW_API_BASE).rstrip("/")

    @property
    def configured(self) -> bool:
        return bool(
            settings.DINGTALK_APP_KEY
            and settings.DINGTALK_APP_SECRET
            and settings.DINGTALK_AGENT_ID
        )

    def _cache_key(self) -> str:
        return f"platform-token:dingtalk:{settings.DINGTALK_APP_KEY}"

    def _fetch_token(self) -> tuple[str, int]:
        answer = self._check(
            _call(
                "GET",
                f"{self.base}/gettoken",
                params={
                    "appkey": settings.DINGTALK_APP_KEY,
                    "appsecret": settings.DINGTALK_APP_SECRET,
                },
            )
        )
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))

    def authorize_url(self, *, redirect_uri: str, state: str, in_app: bool) -> str:
        """The one OAuth page: a QR code on a desktop, signed in at once inside DingTalk."""
        query = urlencode(
            {
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "client_id": settings.DINGTALK_APP_KEY,
                "scope": "openid",
                "state": state,
                "prompt": "consent",
            }
        )
        return f"{settings.DINGTALK_LOGIN_URL}?{query}"

    def user_id_from_code(self, code: str) -> str:
        """The code → the person's token → his union id → his user id in the organisation."""
        grant = _call(
            "POST",
            f"{self.new_base}/v1.0/oauth2/userAccessToken",
            json={
                "clientId": settings.DINGTALK_APP_KEY,
                "clientSecret": settings.DINGTALK_APP_SECRET,
                "code": code,
                "grantType": "authorization_code",
            },
        )
        person_token = grant.get("accessToken")
        if not person_token:
            raise PlatformError("the sign-in code was refused", code=grant.get("code"))
        me = _call(
            "GET",
            f"{self.new_base}/v1.0/contact/users/me",
            headers={"x-acs-dingtalk-access-token": str(person_token)},
        )
        union_id = me.get("unionId")
        if not union_id:
            raise PlatformError("no union id", code=me.get("code"))
        answer = self.call(
            "POST", f"{self.base}/topapi/user/getbyunionid", json={"unionid": union_id}
        )
        user_id = (answer.get("result") or {}).get("userid")
        if not user_id:
            raise PlatformError("not a member of the organisation", code="no-userid")
        return str(user_id)

    def send_card(self, *, user_ids: list[str], card: Card) -> dict[str, Any]:
        payload = {
            "agent_id": int(settings.DINGTALK_AGENT_ID),
            "userid_list": ",".join(user_ids),
            "msg": {
                "msgtype": "action_card",
                "action_card": {
                    "title": card.title[:64],
                    "markdown": f"### {card.title}\n\n{card.description}",
                    "single_title": card.button,
                    "single_url": card.url,
                },
            },
        }
        return self.call(
            "POST", f"{self.base}/topapi/message/corpconversation/asyncsend_v2", json=payload
        )


def client(platform: str) -> WeCom | DingTalk:
    if platform == "wecom":
        return WeCom()
    if platform == "dingtalk":
        return DingTalk()
    raise ValueError(platform)


def platform_name(platform: str) -> str:
    return str(_("WeCom")) if platform == "wecom" else str(_("DingTalk"))


def platforms_on() -> list[dict[str, str]]:
    """The platforms configured on this site (the login page's buttons)."""
    return [
        {"code": code, "name": platform_name(code)}
        for code in ("wecom", "dingtalk")
        if client(code).configured
    ]


def _truncate_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


# Group robots ---------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """A signed DingTalk robot's ``sign``: HMAC-SHA256 of "timestamp\\nsecret" keyed by the
    secret, base64, URL-encoded."""
    text = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), text, digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def now_ms() -> int:
    return int(time.time() * 1000)
