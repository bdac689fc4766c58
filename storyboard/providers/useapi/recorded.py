"""useapi.net answers, shaped as its documentation shows them (useapi.net/docs/api-kling-v1:
POST /videos/omni, GET /tasks/{id}, POST /assets, POST /elements, the error tables). The
adapter tests replay them; the sandbox may answer with them. Data only: no behaviour."""

CREATE = {"task": {"id": 48151623, "type": "m2v_omni_video", "status": 5,
                   "status_name": "submitted", "status_final": False},
          "works": [], "status": 5, "status_name": "submitted", "status_final": False,
          "message": ""}
DONE = {"task": {"id": 48151623, "status": 99, "status_name": "succeed", "status_final": True},
        "works": [{"workId": 777, "resource": {
            "resource": "https://s21-kling.klingai.com/wm/777.mp4", "width": 1280,
            "height": 720, "duration": 6000},
            "cover": {"resource": "https://s21-kling.klingai.com/cover/777.jpg"}}],
        "status": 99, "status_name": "succeed", "status_final": True, "message": ""}
# A failed task: `error` says why, `message` is generic (seed 001).
FAILED_MODERATION = {"task": {"id": 48151623, "status": 50, "status_name": "failed",
                              "status_final": True},
                     "works": [], "status": 50, "status_name": "failed", "status_final": True,
                     "error": "Your prompt may violate the community guidelines. "
                              "(CM_EXT.POther)",
                     "message": "Task failed"}
FAILED_PLAIN = {"task": {"id": 48151623, "status": 50, "status_name": "failed",
                         "status_final": True},
                "works": [], "status": 50, "status_name": "failed", "status_final": True,
                "error": "Generation failed, please try again", "message": "Task failed"}
ASSET = {"status": 3, "url": "https://s21-kling.klingai.com/ai-platform/abc/a.png",
         "fileName": "a.png"}
ELEMENT = {"elements": [{"id": "u_123", "name": "Chef Marcel ABC12",
                         "description": "Head chef"}], "count": 1}
# Errors: HTTP status -> body.
MODERATION_500 = {"error": "Your prompt may violate the community guidelines. (CM_EXT.POther)",
                  "message": "Internal Server Error"}
INSUFFICIENT_CREDITS_400 = {"error": "Insufficient credits", "code": 400}
MISSING_ELEMENT_404 = {"error": "Element u_gone1 was not found", "code": 404}
RESOURCE_NOT_FOUND_404 = {"error": "VALID.ResourceNotFound", "code": 404}
BUSY_429 = {"error": "All configured accounts are running at maximum capacity", "code": 429}
