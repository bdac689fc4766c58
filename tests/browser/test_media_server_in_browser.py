"""With the media server (studio's set-up), the library's posters and videos load in a real
browser through the redirect to a signed link, under the pages' Content-Security-Policy."""

from pathlib import Path

import pytest
from library.media_factory import make_video
from library.media_server_runner import running_media_server

from storyboard.teams.actions import ensure_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""

PLAY_FIRST_VIDEO = """async () => {
  const video = document.querySelector("video");
  video.preload = "auto";
  video.load();
  await new Promise((done, fail) => {
    video.addEventListener("loadeddata", done, {once: true});
    // A blocked or failed <source> fires no error on the <video> itself.
    setTimeout(() => fail(new Error("the video did not load in 15 s")), 15000);
  });
  return {src: video.currentSrc, width: video.videoWidth, duration: video.duration};
}"""


def test_library_posters_and_videos_come_from_the_media_server(live_server, page, settings):
    team, demo = ensure_demo(password="media-test-password")
    make_video(team, demo, codec="libx264")
    with running_media_server(Path(settings.MEDIA_ROOT)) as media_url:
        settings.STORYBOARD_MEDIA_MODE = "media-server"
        settings.STORYBOARD_MEDIA_SERVER_URL = media_url
        settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "img-src": [*settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], media_url],
            "media-src": [*settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"],
                          media_url]}}
        from_media_server = []
        page.on("response", lambda r: r.url.startswith(media_url) and from_media_server.append(
            (r.request.resource_type, r.status)))
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("media-test-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/storyboards/")
        page.goto(f"{live_server.url}/library/")
        page.wait_for_load_state("networkidle")
        played = page.evaluate(PLAY_FIRST_VIDEO)
        assert played["width"] == 720 and played["duration"] > 2
        assert page.evaluate("window.__csp") == []
    kinds = {kind for kind, _ in from_media_server}
    assert {"image", "media"} <= kinds, from_media_server
    assert {status for _, status in from_media_server} <= {200, 206}
