"""Kling official API answers, in the documented envelope {code, message, request_id, data}
(official omni-video and element docs as copied in WHQ25/rawgenai docs/research/kling/, and the
error-code table). Element ids are int64 in every answer. Data only: no behaviour."""

from typing import Any

CREATE = {"code": 0, "message": "SUCCEED", "request_id": "req-1",
          "data": {"task_id": "860000001", "task_status": "submitted",
                   "task_info": {"external_task_id": "job-42"},
                   "created_at": 1763700000000, "updated_at": 1763700000000}}
DONE = {"code": 0, "message": "SUCCEED", "request_id": "req-2",
        "data": {"task_id": "860000001", "task_status": "succeed",
                 "task_status_msg": "", "task_info": {"external_task_id": "job-42"},
                 "final_unit_deduction": "6",
                 "created_at": 1763700000000, "updated_at": 1763700090000,
                 "task_result": {"videos": [{"id": "v1", "url": "https://cdn.kling/v1.mp4",
                                             "watermark_url": "https://cdn.kling/v1w.mp4",
                                             "duration": "6.0"}]}}}
FAILED_RISK = {"code": 0, "message": "SUCCEED", "request_id": "req-3",
               "data": {"task_id": "860000001", "task_status": "failed",
                        "task_status_msg": "Failure to pass the risk control system",
                        "task_info": {"external_task_id": "job-42"},
                        "created_at": 1763700000000, "updated_at": 1763700030000}}
ELEMENT_CREATE = {"code": 0, "message": "SUCCEED", "request_id": "req-4",
                  "data": {"task_id": "870000001", "task_status": "submitted",
                           "created_at": 1763700000000, "updated_at": 1763700000000}}
ELEMENT_RUNNING = {"code": 0, "message": "SUCCEED", "request_id": "req-5",
                   "data": {"task_id": "870000001", "task_status": "processing"}}
ELEMENT_DONE = {"code": 0, "message": "SUCCEED", "request_id": "req-6",
                "data": {"task_id": "870000001", "task_status": "succeed",
                         "task_result": {"elements": [{"element_id": 307212335131305,
                                                       "element_name": "Chef"}]}}}


def error(code: int, message: str) -> dict[str, Any]:
    """An error envelope (the documented shape: data is null)."""
    return {"code": code, "message": message, "request_id": "req-err", "data": None}


# The contract's wording for two 1201 answers (the vendor documents only the code).
MISSING_ELEMENT = error(1201, "element_id 307212335131305 does not exist")
DUPLICATE_EXTERNAL_ID = error(1201, "external_task_id job-42 already exists")
CONTENT_SECURITY = error(1301, "Content security check failed")
RESOURCE_PACK_EXHAUSTED = error(1102, "Resource pack exhausted")
