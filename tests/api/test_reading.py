"""Jobs, clips and the library over the API: the team's own rows, newest first, a keyset page at
a time; clip files with Range like the pages; uploads held to the upload page's checks."""

from __future__ import annotations

from authz import _clip, _job
from library import media_factory
from library.media_factory import jpeg, make_image, make_image_element, upload

from storyboard.library.models import ReferenceImage


def test_jobs_list_and_detail(cast, api_for):
    ids = [str(_job(cast)) for _ in range(3)]
    api = api_for(cast.viewer)
    first = api.get("/jobs", {"limit": 2}).json()
    assert [j["id"] for j in first["items"]] == ids[::-1][:2]
    second = api.get("/jobs", {"limit": 2, "cursor": first["next"]}).json()
    assert [j["id"] for j in second["items"]] == ids[:1] and second["next"] is None
    job = api.get(f"/jobs/{ids[0]}").json()
    assert job["state"] == "failed" and job["clip_ids"] == [] and job["progress"] is None
    assert job["target"] == {"account": None, "dialect": "animatic", "model": "v3"}


def test_clips_list_detail_and_file_with_range(cast, api_for, settings):
    clip_id = _clip(cast)
    name = "clips/none.mp4"
    (settings.MEDIA_ROOT / "clips").mkdir(parents=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"0123456789")
    api = api_for(cast.viewer)
    listed = api.get("/clips").json()
    assert [c["id"] for c in listed["items"]] == [clip_id]
    assert api.get(f"/clips/{clip_id}").json()["file"] == f"/api/v1/clips/{clip_id}/file"
    whole = api.get(f"/clips/{clip_id}/file")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == b"0123456789"
    assert whole["Content-Type"] == "video/mp4" and whole["X-Content-Type-Options"] == "nosniff"
    part = api.get(f"/clips/{clip_id}/file", headers={"Range": "bytes=2-4"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"234"
    assert part["Content-Range"] == "bytes 2-4/10"
    assert api.get(f"/clips/{clip_id}/file", headers={"Range": "bytes=50-"}).status_code == 416


def test_upload_an_image_and_list_it(cast, api_for):
    api = api_for(cast.editor)
    response = api.post("/library/images", data={"file": upload(jpeg(), "cat.jpg")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["image"]["name"] == "cat"
    again = api.post("/library/images", data={"file": upload(jpeg(), "cat.jpg")})
    assert again.status_code == 200 and again.json()["created"] is False
    listed = api.get("/library/images").json()
    assert [i["id"] for i in listed["items"]] == [body["image"]["id"]]
    assert ReferenceImage.objects.get().team == cast.team_a


def test_an_upload_that_is_no_image_is_refused_naming_the_field(cast, api_for):
    api = api_for(cast.editor)
    response = api.post("/library/images", data={"file": upload(b"not an image", "x.jpg")})
    assert response.status_code == 422
    assert response.json()["field"] == "file"
    missing = api.post("/library/images", data={})
    assert missing.status_code == 422 and missing.json()["field"] == "file"
    assert not ReferenceImage.objects.exists()


def test_elements_list_includes_shared_ones(cast, api_for):
    own = make_image_element(cast.team_a, name="Mara")
    theirs = make_image_element(cast.team_b, name="Bo")
    media_factory.share(cast.team_b, cast.team_a)
    items = api_for(cast.viewer).get("/library/elements").json()["items"]
    assert {(e["id"], e["name"], e["shared"]) for e in items} == {
        (own.pk, "Mara", False), (theirs.pk, "Bo", True)}


def test_another_teams_objects_answer_404(cast, api_for):
    clip_id = _clip(cast)
    job_id = _job(cast)
    image = make_image(cast.team_a)
    outsider = api_for(cast.outsider, cast.team_b)
    for path in (f"/clips/{clip_id}", f"/clips/{clip_id}/file", f"/jobs/{job_id}"):
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"].startswith("Not found")
    assert outsider.get("/clips").json()["items"] == []
    assert outsider.get("/library/images").json()["items"] == []
    assert image.pk
