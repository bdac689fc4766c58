"""APIMart answers, shaped as docs.apimart.ai shows them (Kling v3 Omni generation: the create
answer's `data` is a list; GET /v1/tasks/{id}). Data only: no behaviour."""

CREATE = {"code": 200, "data": [{"status": "submitted", "task_id": "task_01ABC"}]}
DONE = {"code": 200, "data": {"id": "task_01ABC", "status": "completed", "progress": 100,
                              "result": {"videos": [{"url": ["https://c/v.mp4"],
                                                     "expires_at": 1763790000}]}}}
FAILED = {"code": 200, "data": {"id": "task_01ABC", "status": "failed", "progress": 0,
                                "error": {"message": "Content moderation failed"}}}
INSUFFICIENT_BALANCE_402 = {"error": {"message": "Insufficient balance", "type": "billing"}}
