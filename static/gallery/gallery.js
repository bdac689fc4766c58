// Gallery cards: a clip's preview plays while the pointer rests on it, or on click / the
// play button (keyboard). The video file is only fetched once somebody asks for it.
(function () {
  "use strict";

  function videoOf(el) {
    var card = el.closest(".clip-media");
    return card ? card.querySelector("video.hover-play") : null;
  }

  function load(video) {
    if (!video.getAttribute("src") && video.dataset.src) {
      video.setAttribute("src", video.dataset.src);
    }
  }

  function setPlaying(video, playing) {
    var button = video.parentElement.querySelector(".play-toggle");
    if (playing) {
      load(video);
      var started = video.play();
      if (started && started.catch) { started.catch(function () {}); }
    } else {
      video.pause();
    }
    if (button) {
      button.setAttribute("aria-pressed", playing ? "true" : "false");
      button.textContent = playing ? "❚❚" : "▶";
    }
  }

  document.addEventListener("mouseover", function (event) {
    var video = event.target.closest && event.target.closest("video.hover-play");
    if (video && video.paused) { setPlaying(video, true); }
  });
  document.addEventListener("mouseout", function (event) {
    var video = event.target.closest && event.target.closest("video.hover-play");
    if (video && !video.contains(event.relatedTarget)) { setPlaying(video, false); }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("video.hover-play, .play-toggle");
    if (!target) { return; }
    var video = videoOf(target);
    if (video) { setPlaying(video, video.paused); }
  });
})();
