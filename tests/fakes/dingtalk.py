"""A local fake of DingTalk's documented endpoints (钉钉 open platform).

The application's token (``/gettoken``), the OAuth page (``/oauth2/auth``: a list of
people), the person's token from a code (``/v1.0/oauth2/userAccessToken``), his union id
(``/v1.0/contact/users/me``), his user id (``/topapi/user/getbyunionid``), the work
notice (``/topapi/message/corpconversation/asyncsend_v2``) and a signed group robot
(``/robot/send``: ``timestamp`` and ``sign`` checked against the robot's secret, 310000
when they do not match). Tokens can be expired and error codes scripted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import time
from typing import Any

from .server import Answer, FakeServer, Request, chooser_page

APP_KEY = "dingfakekey"
APP_SECRET = "fake-dingtalk-secret"
AGENT_ID = "2000001"
ROBOT_TOKEN = "robot-token-0001"
ROBOT_SECRET = "SECfake0123456789abcdef"


class FakeDingTalk(FakeServer):
    def __init__(self, people: dict[str, str] | None = None) -> None:
        super().__init__()
        self.people = dict(people or {})
        self.codes: dict[str, str] = {}
        self.person_tokens: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.errors: list[int] = []
        self.messages: list[dict[str, Any]] = []
        self.robot_posts: list[dict[str, Any]] = []
        self.robot_refusals = 0
        self._ids = itertools.count(1)
        self.routes.update(
            {
                ("GET", "/gettoken"): self.gettoken,
                ("GET", "/oauth2/auth"): self.authorize,
                ("POST", "/v1.0/oauth2/userAccessToken"): self.user_token,
                ("GET", "/v1.0/contact/users/me"): self.me,
                ("POST", "/topapi/user/getbyunionid"): self.by_union,
                ("POST", "/topapi/message/corpconversation/asyncsend_v2"): self.send,
                ("POST", "/robot/send"): self.robot,
            }
        )

    def settings(self) -> dict[str, Any]:
        return {
            "DINGTALK_APP_KEY": APP_KEY,
            "DINGTALK_APP_SECRET": APP_SECRET,
            "DINGTALK_AGENT_ID": AGENT_ID,
            "DINGTALK_API_BASE": self.base,
            "DINGTALK_NEW_API_BASE": self.base,
            "DINGTALK_LOGIN_URL": f"{self.base}/oauth2/auth",
        }

    @property
    def robot_url(self) -> str:
        return f"{self.base}/robot/send?access_token={ROBOT_TOKEN}&secret={ROBOT_SECRET}"

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def code_for(self, userid: str) -> str:
        code = f"dcode{next(self._ids)}"
        self.codes[code] = userid
        return code

    def _token_error(self, request: Request) -> Answer | None:
        if request.query.get("access_token", "") not in self.tokens:
            return 200, {"errcode": 42001, "errmsg": "不合法的access_token"}
        return None

    def gettoken(self, request: Request) -> Answer:
        if (request.query.get("appkey"), request.query.get("appsecret")) != (APP_KEY, APP_SECRET):
            return 200, {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}
        token = f"dtok{next(self._ids)}"
        self.tokens.add(token)
        self.tokens_issued += 1
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def authorize(self, request: Request) -> Answer:
        if request.query.get("client_id") != APP_KEY:
            return 400, "<p>client_id 错误</p>"
        return 200, chooser_page(
            "钉钉登录（测试）",
            self.people,
            request.query.get("redirect_uri", ""),
            request.query.get("state", ""),
            self.code_for,
        )

    def user_token(self, request: Request) -> Answer:
        body = request.json()
        userid = self.codes.pop(body.get("code", ""), None)
        if (
            body.get("clientId") != APP_KEY
            or body.get("clientSecret") != APP_SECRET
            or userid is None
        ):
            return 400, {"code": "invalidAuthCode", "message": "code invalid"}
        token = f"ut{next(self._ids)}"
        self.person_tokens[token] = userid
        return 200, {"accessToken": token, "expireIn": 7200}

    def me(self, request: Request) -> Answer:
        userid = self.person_tokens.get(request.headers.get("x-acs-dingtalk-access-token", ""))
        if userid is None:
            return 401, {"code": "InvalidAuthentication"}
        return 200, {"unionId": f"union-{userid}", "nick": self.people.get(userid, "")}

    def by_union(self, request: Request) -> Answer:
        refused = self._token_error(request)
        if refused:
            return refused
        union = request.json().get("unionid", "")
        return 200, {"errcode": 0, "result": {"userid": union.removeprefix("union-")}}

    def send(self, request: Request) -> Answer:
        refused = self._token_error(request)
        if refused:
            return refused
        if self.errors:
            return 200, {"errcode": self.errors.pop(0), "errmsg": "scripted error"}
        body = request.json()
        if str(body.get("agent_id")) != AGENT_ID:
            return 200, {"errcode": 400001, "errmsg": "agent_id invalid"}
        self.messages.append(body)
        return 200, {"errcode": 0, "errmsg": "ok", "task_id": next(self._ids)}

    def robot(self, request: Request) -> Answer:
        if request.query.get("access_token") != ROBOT_TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = request.query.get("timestamp", "")
        sign = request.query.get("sign", "")  # the query is decoded once, as a server does
        expected = base64.b64encode(
            hmac.new(
                ROBOT_SECRET.encode(), f"{timestamp}\n{ROBOT_SECRET}".encode(), hashlib.sha256
            ).digest()
        ).decode()
        fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3600_000
        if not fresh or not hmac.compare_digest(sign, expected) or "secret" in request.query:
            self.robot_refusals += 1
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        self.robot_posts.append(request.json())
        return 200, {"errcode": 0, "errmsg": "ok"}
