// The review player: a scrubber with the planned shot boundaries and the comment pins on it,
// time codes that seek when clicked, and the comment form's time field (current time, and the
// shot a typed time falls in).
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var video = document.getElementById("review-video");
  var scrubber = document.getElementById("scrubber");
  var clock = document.getElementById("clock");
  var toggle = document.getElementById("play-pause");
  var length = parseFloat(player.dataset.length) || 1;

  function fmt(s) {
    var tenths = Math.round(Math.max(s, 0) * 10);
    var m = Math.floor(tenths / 600), rest = tenths % 600;
    var sec = Math.floor(rest / 10);
    return m + ":" + (sec < 10 ? "0" : "") + sec + "." + (rest % 10);
  }

  function place() {
    player.querySelectorAll(".mark, .pin").forEach(function (el) {
      var at = Math.min(Math.max(parseFloat(el.dataset.at) || 0, 0), length);
      el.style.left = (at / length * 100) + "%";
    });
  }

  function show() {
    scrubber.value = video.currentTime;
    clock.textContent = fmt(video.currentTime);
    var shots = player.querySelectorAll(".shot-legend li");
    shots.forEach(function (li) {
      var on = video.currentTime >= parseFloat(li.dataset.start)
        && video.currentTime < parseFloat(li.dataset.end);
      li.classList.toggle("current", on);
    });
  }

  function seek(t) {
    video.currentTime = Math.min(Math.max(t, 0), length);
    show();
  }

  function setButton() {
    toggle.textContent = video.paused ? "▶" : "❚❚";
    toggle.setAttribute("aria-label", video.paused ? "Play" : "Pause");
  }

  function tick() {
    show();
    if (!video.paused) { window.requestAnimationFrame(tick); }
  }

  toggle.addEventListener("click", function () {
    if (video.paused) {
      var p = video.play();
      if (p && p.catch) { p.catch(function () {}); }
    } else {
      video.pause();
    }
  });
  video.addEventListener("click", function () { toggle.click(); });
  video.addEventListener("play", function () { setButton(); tick(); });
  video.addEventListener("pause", setButton);
  video.addEventListener("timeupdate", show);
  video.addEventListener("seeked", show);
  scrubber.addEventListener("input", function () { seek(parseFloat(scrubber.value)); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-seek]");
    if (button) { seek(parseFloat(button.dataset.seek)); }
    if (event.target.id === "use-now") {
      var field = document.getElementById("c-time");
      field.value = (Math.round(video.currentTime * 10) / 10).toFixed(1);
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  // Which planned shot a typed time falls in, as the server will count it.
  function parseTime(text) {
    var m = /^(?:(\d{1,3}):)?(\d{1,5}(?:[.,]\d{1,3})?)$/.exec((text || "").trim());
    if (!m) { return null; }
    return (parseInt(m[1] || "0", 10) * 60) + parseFloat(m[2].replace(",", "."));
  }
  document.addEventListener("input", function (event) {
    if (event.target.id !== "c-time") { return; }
    var hint = document.getElementById("c-shot");
    var t = parseTime(event.target.value);
    var shots = player.querySelectorAll(".shot-legend li");
    if (t === null || !shots.length) { hint.textContent = ""; return; }
    var n = shots.length;
    for (var i = 0; i < shots.length; i++) {
      if (t < parseFloat(shots[i].dataset.end)) { n = i + 1; break; }
    }
    hint.textContent = "Shot " + n + " of " + shots.length;
  });

  document.body.addEventListener("htmx:afterSettle", place);
  place();
  setButton();
  var wanted = parseFloat(new URLSearchParams(window.location.search).get("t"));
  if (!isNaN(wanted)) {
    if (video.readyState >= 1) { seek(wanted); }
    else { video.addEventListener("loadedmetadata", function () { seek(wanted); }, { once: true }); }
  }
})();
