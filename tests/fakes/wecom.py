"""A local fake of WeCom's documented endpoints (企业微信 / 政务微信 server API).

Token (``/cgi-bin/gettoken``), the OAuth pages (in-app ``/connect/oauth2/authorize`` and
the QR page ``/wwlogin/sso/login``: a list of people to pick), the person behind a code
(``/cgi-bin/auth/getuserinfo``), the application message (``/cgi-bin/message/send``) and
the group robot (``/cgi-bin/webhook/send``, markdown up to 4096 bytes). A test can expire
the tokens (42001 on the next call), script error codes (45009 rate limit …) and read
every message sent.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from .server import Answer, FakeServer, Request, chooser_page

CORP_ID = "wwfake0001"
AGENT_ID = "1000002"
SECRET = "fake-wecom-secret"
MARKDOWN_LIMIT = 4096


class FakeWeCom(FakeServer):
    def __init__(self, people: dict[str, str] | None = None) -> None:
        super().__init__()
        self.people = dict(people or {})  # userid -> name, shown on the sign-in page
        self.codes: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.errors: list[int] = []  # error codes the next message sends answer with
        self.messages: list[dict[str, Any]] = []
        self.robot_posts: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.routes.update(
            {
                ("GET", "/cgi-bin/gettoken"): self.gettoken,
                ("GET", "/cgi-bin/auth/getuserinfo"): self.getuserinfo,
                ("POST", "/cgi-bin/message/send"): self.send,
                ("POST", "/cgi-bin/webhook/send"): self.robot,
                ("GET", "/connect/oauth2/authorize"): self.authorize,
                ("GET", "/wwlogin/sso/login"): self.authorize,
            }
        )

    def settings(self) -> dict[str, str]:
        return {
            "WECOM_CORP_ID": CORP_ID,
            "WECOM_AGENT_ID": AGENT_ID,
            "WECOM_SECRET": SECRET,
            "WECOM_API_BASE": self.base,
            "WECOM_OAUTH_URL": f"{self.base}/connect/oauth2/authorize",
            "WECOM_QR_URL": f"{self.base}/wwlogin/sso/login",
        }

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def code_for(self, userid: str) -> str:
        code = f"code{next(self._ids)}{secrets.token_hex(4)}"
        self.codes[code] = userid
        return code

    def _token_error(self, request: Request) -> Answer | None:
        token = request.query.get("access_token", "")
        if not token:
            return 200, {"errcode": 41001, "errmsg": "access_token missing"}
        if token not in self.tokens:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def gettoken(self, request: Request) -> Answer:
        if request.query.get("corpid") != CORP_ID:
            return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
        if request.query.get("corpsecret") != SECRET:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        token = f"tok{next(self._ids)}"
        self.tokens.add(token)
        self.tokens_issued += 1
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def getuserinfo(self, request: Request) -> Answer:
        refused = self._token_error(request)
        if refused:
            return refused
        userid = self.codes.pop(request.query.get("code", ""), None)
        if userid is None:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        return 200, {"errcode": 0, "errmsg": "ok", "userid": userid}

    def send(self, request: Request) -> Answer:
        refused = self._token_error(request)
        if refused:
            return refused
        if self.errors:
            code = self.errors.pop(0)
            return 200, {"errcode": code, "errmsg": "scripted error"}
        body = request.json()
        if str(body.get("agentid")) != AGENT_ID or body.get("msgtype") != "textcard":
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        card = body.get("textcard", {})
        if (
            not card.get("title")
            or not card.get("url")
            or len(card.get("description", "").encode()) > 512
        ):
            return 200, {"errcode": 44004, "errmsg": "invalid textcard"}
        self.messages.append(body)
        unknown = [u for u in body["touser"].split("|") if self.people and u not in self.people]
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(unknown)}

    def robot(self, request: Request) -> Answer:
        body = request.json()
        if body.get("msgtype") == "markdown":
            if len(body["markdown"]["content"].encode("utf-8")) > MARKDOWN_LIMIT:
                return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        self.robot_posts.append(body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def authorize(self, request: Request) -> Answer:
        if request.query.get("appid") != CORP_ID:
            return 400, "<p>appid 错误</p>"
        return 200, chooser_page(
            "企业微信登录（测试）",
            self.people,
            request.query.get("redirect_uri", ""),
            request.query.get("state", ""),
            self.code_for,
        )
