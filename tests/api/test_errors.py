"""Every error is JSON {"detail", "field"} with its status, never HTML; a token has a rate limit."""

from __future__ import annotations

from api.api_client import Api


def test_no_token_or_a_wrong_one_is_401_json(cast, client):
    for headers in ({}, {"Authorization": "Bearer sbt_nope"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/jobs", headers=headers)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["detail"]


def test_unknown_paths_and_ids_are_404_json(cast, api_for):
    api = api_for(cast.viewer)
    nobody = "00000000-0000-4000-8000-000000000000"
    for path in ("/nothing", "/clips/999", f"/jobs/{nobody}"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
    for path, field in (("/jobs/not-a-uuid", "job_id"), ("/clips/abc", "clip_id")):
        response = api.get(path)
        assert response.status_code == 422 and response.json()["field"] == field


def test_bad_query_values_are_422_naming_the_field(cast, api_for):
    api = api_for(cast.viewer)
    response = api.get("/clips", {"limit": 1000})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"
    assert "100" in response.json()["detail"]
    response = api.get("/jobs", {"cursor": "garbage"})
    assert response.status_code == 422 and response.json()["field"] == "cursor"
    response = api.get(f"/clips/{2**64}")
    assert response.status_code == 422 and response.json()["field"] == "clip_id"


def test_a_token_is_rate_limited_with_retry_after(cast, api_for, settings):
    settings.STORYBOARD_API_REQUESTS_PER_MINUTE = 3
    api = api_for(cast.viewer)
    assert [api.get("/jobs").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/jobs")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "at most 3 a minute" in limited.json()["detail"]
    # Another token of the team has its own count.
    other = api_for(cast.editor)
    assert other.get("/jobs").status_code == 200


def test_the_schema_and_docs_need_no_token(cast):
    api = Api(None)
    schema = api.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/storyboards/{board_id}/submit" in paths
    docs = api.get("/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_a_body_that_is_missing_or_cannot_be_parsed_is_json_naming_the_body(cast, api_for):
    """Before: multipart without a boundary got the HTML 400 page, and an empty or non-JSON
    body answered with field null."""
    api = api_for(cast.editor)
    path = f"/api/v1/storyboards/{api.post('/storyboards', {'title': 'Falcon'}).json()['id']}"
    for content_type, body, status in (
            ("multipart/form-data", b"junk", 400),  # no boundary: Django's parser refuses
            ("application/x-www-form-urlencoded", b"a=1", 400),
            ("text/plain", b"\x00\xff", 400),
            ("application/json", b"", 422),
            ("multipart/form-data; boundary=x", b"", 422)):
        response = api.client.post(f"{path}/share-links", body, content_type=content_type,
                                   headers=api._headers({}))
        assert response.status_code == status, content_type
        assert response["Content-Type"] == "application/json", content_type
        assert response.json()["field"] == "body", content_type
        assert "JSON" in response.json()["detail"]
