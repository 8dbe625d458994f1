"""DingTalk custom group robot (自定义机器人), signed (加签).

POST JSON `{"msgtype": "text", "text": {"content"}, "at": {"atMobiles", "isAtAll"}}` to the webhook
(`.../robot/send?access_token=...`) with `timestamp` (milliseconds) and `sign` added to its query: `sign` is
base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded; the robot refuses a timestamp
more than an hour off. Answer `{"errcode": 0, "errmsg": "ok"}`; 130101 is its limit of 20 messages a minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx

from gridline.notify.vendors.base import Delivery, Outcome, Post, http_failure, unexpected

TRANSIENT = {130101, -1}


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


async def post(delivery: Delivery, message: Post) -> Outcome:
    timestamp = int(time.time() * 1000)  # the robot checks the wall clock, whatever the service's clock says
    url = httpx.URL(message.robot.url).copy_merge_params(
        {"timestamp": str(timestamp), "sign": sign(message.robot.secret, timestamp)}
    )
    body = {
        "msgtype": "text",
        "text": {"content": message.text},
        "at": {"atMobiles": message.mentions, "isAtAll": False},
    }
    try:
        response = await delivery.http.post(url, json=body)
    except httpx.HTTPError as exc:
        return http_failure(exc)
    return robot_outcome(response, "dingtalk", TRANSIENT)


def robot_outcome(response: httpx.Response, vendor: str, transient: set[int]) -> Outcome:
    """Both robots answer `{"errcode", "errmsg"}`; 0 means the group has the message."""
    try:
        code = int(response.json()["errcode"])
    except (ValueError, KeyError, TypeError):
        return unexpected(response)
    if code == 0:
        return Outcome("delivered", status_code=response.status_code)
    return Outcome(
        "retry" if code in transient else "failed", error=f"{vendor} {code}", status_code=response.status_code
    )
