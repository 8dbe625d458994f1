"""WeCom (企业微信) group robot: POST JSON `{"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}`
to its webhook (`.../cgi-bin/webhook/send?key=...`; the key in the URL is the robot's only credential).
Answer `{"errcode": 0, "errmsg": "ok"}`; 45009 is its limit of 20 messages a minute, -1 "system busy"."""

from __future__ import annotations

import httpx

from gridline.notify.vendors.base import Delivery, Outcome, Post, http_failure
from gridline.notify.vendors.dingtalk import robot_outcome

TRANSIENT = {45009, -1}


async def post(delivery: Delivery, message: Post) -> Outcome:
    body = {"msgtype": "text", "text": {"content": message.text, "mentioned_mobile_list": message.mentions}}
    try:
        response = await delivery.http.post(message.robot.url, json=body)
    except httpx.HTTPError as exc:
        return http_failure(exc)
    return robot_outcome(response, "wecom", TRANSIENT)
