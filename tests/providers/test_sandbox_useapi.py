"""useapi.net in the sandbox: assets, elements, multi-shot tasks to a clean master, and the
bodies useapi refuses."""

from __future__ import annotations

import pytest
from providers.sandbox_helpers import (
    KLING_BODY,
    PNG,
    client,
    jpeg,
    kling_done,
    png,
    probe,
    running,
    useapi_done,
)


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def test_useapi_assets_elements_and_a_multi_shot_task_to_a_clean_master(sandbox):
    with client(sandbox, "useapi") as c:
        up = c.post("/assets/", content=png(), headers=PNG).json()
        assert up["status"] == 3 and up["url"].startswith(sandbox.url + "/files/assets/")
        assert c.get(up["url"]).content == png()
        cover = c.post("/assets", content=jpeg(), headers={"Content-Type": "image/jpeg"}).json()
        made = c.post(
            "/elements", json={"name": "Chef", "coverImage": cover["url"], "tag": "character"}
        ).json()
        element = made["elements"][0]
        assert made["count"] == 1 and element["id"].startswith("u_")
        assert element["name"].startswith("Chef ") and len(element["name"]) == len("Chef ") + 5
        body = {
            "omni_version": "v3",
            "image_1": up["url"],
            "element_1": element["id"],
            "shot_1_prompt": "the chef @element_1",
            "shot_1_duration": "2",
            "shot_2_prompt": "the stove @image_1",
            "shot_2_duration": "2",
        }
        created = c.post("/videos/omni", json=body).json()
        assert created["task"]["status_name"] == "submitted" and created["status"] == 5
        assert isinstance(created["task"]["id"], int) and created["works"] == []
        seen = {c.get(f"/tasks/{created['task']['id']}").json()["status_name"]}
        done = useapi_done(c, created["task"]["id"])
        assert done["status_name"] == "succeed" and done["task"]["status"] == 99
        work = done["works"][0]
        assert work["resource"]["duration"] == 4000
        watermarked = c.get(work["resource"]["resource"]).content
        clean_url = c.get(
            "/assets/download", params={"workIds": work["workId"], "fileTypes": "MP4"}
        ).json()["cdnUrl"]
        clean = c.get(clean_url).content
        assert clean != watermarked
        for data in (clean, watermarked):
            seconds, width, height = probe(data)
            assert seconds == pytest.approx(4, abs=0.05) and (width, height) == (64, 36)
        assert c.get(work["cover"]["resource"]).headers["content-type"] == "image/png"
        assert seen <= {"submitted", "processing"}
        assert [e["id"] for e in c.get("/elements").json()["elements"]] == [element["id"]]
        assert c.delete(f"/elements/{element['id']}").status_code == 200
        assert c.delete(f"/elements/{element['id']}").status_code == 404

@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"prompt": "x", "duration": 5}, 400, "string"),
        ({"prompt": "x", "duration": "16"}, 400, "3 to 15"),
        ({"prompt": "x", "omni_version": "o1", "duration": "11"}, 400, "3 to 10"),
        ({"duration": "5"}, 400, "prompt is required"),
        (
            {
                "shot_1_prompt": "a",
                "shot_1_duration": "2",
                "shot_3_prompt": "b",
                "shot_3_duration": "2",
            },
            400,
            "without gaps",
        ),
        (
            {
                "prompt": "x",
                "shot_1_prompt": "a",
                "shot_1_duration": "2",
                "shot_2_prompt": "b",
                "shot_2_duration": "2",
            },
            400,
            "cannot be combined",
        ),
        ({"prompt": "x", "image_1": "https://example.com/a.png"}, 404, "VALID.ResourceNotFound"),
        ({"prompt": "x", "element_1": "u_nope"}, 404, "Element u_nope was not found"),
        ({"prompt": "x", "aspect_ratio": "4:3"}, 400, "aspect_ratio"),
    ],
)
def test_useapi_refuses_bodies_the_vendor_refuses(sandbox, body, status, text):
    with client(sandbox, "useapi") as c:
        r = c.post("/videos/omni", json=body)
    assert r.status_code == status and text in r.json()["error"]
    assert r.json()["code"] == status  # useapi's documented {"error", "code"} body

def test_useapi_limits_images_with_a_video_and_checks_uploads(sandbox):
    with client(sandbox, "useapi") as c:
        images = [
            c.post("/assets", content=png(colour=f"#{i}{i}0000"), headers=PNG).json()["url"]
            for i in range(5)
        ]
        video = c.post("/assets", content=_some_mp4(sandbox), headers={"Content-Type": "video/mp4"})
        assert video.status_code == 200, video.text
        body = {"prompt": "x", "video_1": video.json()["url"]}
        body.update({f"image_{i + 1}": url for i, url in enumerate(images)})
        r = c.post("/videos/omni", json=body)
        assert (
            r.status_code == 400
            and r.json()["error"] == "Video reference supports maximum 4 images"
        )
        small = c.post("/assets", content=png(100, 100), headers=PNG)
        assert small.status_code == 400 and "300" in small.json()["error"]
        gif = c.post("/assets", content=b"GIF89a", headers={"Content-Type": "image/gif"})
        assert gif.status_code == 400 and "Content-Type" in gif.json()["error"]
        liar = c.post("/assets", content=b"not a png at all", headers=PNG)
        assert liar.status_code == 400

def _some_mp4(sandbox) -> bytes:
    """A real 3 s MP4 made by the sandbox itself (kling path), to upload as a reference."""
    with client(sandbox, "kling") as c:
        task = c.post("/v1/videos/omni-video", json=KLING_BODY).json()["data"]["task_id"]
        done = kling_done(c, f"/v1/videos/omni-video/{task}")
        return c.get(done["data"]["task_result"]["videos"][0]["url"]).content

def test_useapi_accepts_a_multipart_create(sandbox):
    fields = {"prompt": "a quiet harbour", "duration": "3", "count": "2"}
    with client(sandbox, "useapi") as u:
        created = u.post("/videos/omni", data=fields, files={"unused": ("a.txt", b"x")}).json()
        done = useapi_done(u, created["task"]["id"])
    assert done["status_name"] == "succeed" and len(done["works"]) == 2
