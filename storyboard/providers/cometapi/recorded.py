"""CometAPI answers: the official envelope passed through (apidoc.cometapi.com, Omni Video and
Omni Query), the wrapped poll form some of its pages show, and the gateway's own error shape
{"error": {message, type, param, code}}. Data only: no behaviour."""

from typing import Any

CREATE = {"code": 0, "message": "success", "request_id": "878106484537192522",
          "data": {"task_id": "878106484537192522", "task_status": "submitted",
                   "task_info": {}, "created_at": 1777385419126,
                   "updated_at": 1777385419126}}
RUNNING = {"code": 0, "message": "success", "request_id": "878106484537192522",
           "data": {"task_id": "878106484537192522", "task_info": {},
                    "created_at": 1777385419126, "updated_at": 1777385430317,
                    "task_result": {}, "task_status": "processing"}}
WRAPPED_RUNNING = {"code": "success", "message": "", "data": {
    "task_id": "878106484537192522", "status": "IN_PROGRESS", "progress": "40%", "data": {}}}


def gateway_error(message: str, code: str, kind: str = "comet_api_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": "", "code": code}}


INSUFFICIENT_QUOTA_403 = gateway_error(
    "insufficient user quota (request id: 20261202081500123456789)", "insufficient_user_quota")
# An upstream Kling code passed through beside the gateway's words.
UPSTREAM_MODERATION_400 = {"error": {"message": "Content security check failed",
                                     "type": "upstream_error", "param": "", "code": "1301"},
                           "data": {"code": 1301, "message": "Content security check failed",
                                    "request_id": "req-up", "data": None}}
