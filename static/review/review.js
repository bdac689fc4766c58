// The review player: a scrubber with the planned shot boundaries and the comment pins on it,
// time codes that seek when clicked, the comment form's time field (current time, and the
// shot a typed time falls in), and the editor's keys: frame stepping, J/K/L shuttle and a
// playback speed, with a frame time code (HH:MM:SS:FF) counted as the server counts it
// (storyboard/review/timing.py: FrameRate).
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var video = document.getElementById("review-video");
  var scrubber = document.getElementById("scrubber");
  var clock = document.getElementById("clock");
  var frameClock = document.getElementById("frame-clock");
  var toggle = document.getElementById("play-pause");
  var speed = document.getElementById("speed");
  var shuttleStatus = document.getElementById("shuttle");
  var length = parseFloat(player.dataset.length) || 1;
  var fps = parseFloat(player.dataset.fps) || 24;
  var fpsBase = parseInt(player.dataset.fpsBase, 10) || Math.round(fps);
  var SHUTTLE = [1, 2, 4];  // J and L, pressed again and again

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

  // The frame on screen at t: each frame shows from its start until the next one.
  function frameAt(t) { return t > 0 ? Math.floor(t * fps + 1e-6) : 0; }

  function frameCode(frame) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var whole = Math.floor(frame / fpsBase), ff = frame % fpsBase;
    return two(Math.floor(whole / 3600)) + ":" + two(Math.floor(whole / 60) % 60) + ":" +
      two(whole % 60) + ":" + two(ff);
  }

  function duration() {
    return isFinite(video.duration) && video.duration > 0 ? video.duration : length;
  }

  function lastFrame() { return Math.max(Math.round(duration() * fps) - 1, 0); }

  // At the end the browser puts the time at the clip's length, where no frame starts: the
  // picture still shows the last frame (and Chrome already calls it the end there).
  function frameOnScreen(t) { return Math.min(frameAt(t), lastFrame()); }

  function show() {
    scrubber.value = video.currentTime;
    clock.textContent = fmt(video.currentTime);
    frameClock.textContent = frameCode(frameOnScreen(video.currentTime));
    var shots = player.querySelectorAll(".shot-legend li");
    shots.forEach(function (li) {
      var on = video.currentTime >= parseFloat(li.dataset.start)
        && video.currentTime < parseFloat(li.dataset.end);
      li.classList.toggle("current", on);
    });
  }

  function seek(t) {
    video.currentTime = Math.min(Math.max(t, 0), duration());
    show();
  }

  // Lands in the middle of a frame, so the browser shows that frame and no neighbour.
  function seekFrame(frame) {
    frame = Math.min(Math.max(frame, 0), lastFrame());
    seek((frame + 0.5) / fps);
  }

  function setButton() {
    var still = video.paused && !reverse;  // J plays backwards on a paused video
    toggle.textContent = still ? "▶" : "❚❚";
    toggle.setAttribute("aria-label", still ? "Play" : "Pause");
  }

  function tick() {
    show();
    if (!video.paused) { window.requestAnimationFrame(tick); }
  }

  function play(rate) {
    video.playbackRate = rate;
    var p = video.play();
    if (p && p.catch) { p.catch(function () {}); }
  }

  // The shuttle: +n plays forward at n× (L), -n steps backward at n× (J), 0 is off. Reverse
  // is played by seeking back as fast as the browser shows the frames, against the clock.
  var shuttle = 0;
  var reverse = null;  // {from: position, at: clock time} while J runs

  function showShuttle() {
    shuttleStatus.textContent = shuttle > 0 ? "▶▶ " + shuttle + "×"
      : shuttle < 0 ? "◀◀ " + (-shuttle) + "×" : "";
  }

  function reverseStep() {
    if (!reverse) { return; }
    if (!video.seeking) {
      var t = reverse.from - (performance.now() - reverse.at) / 1000 * -shuttle;
      if (t <= 0) { seek(0); stop(); return; }
      seek(t);
    }
    window.requestAnimationFrame(reverseStep);
  }

  // Pause, end the shuttle, and go back to the chosen playback speed.
  function stop() {
    reverse = null;
    shuttle = 0;
    video.pause();
    video.playbackRate = parseFloat(speed.value) || 1;
    showShuttle();
    setButton();
  }

  function shuttleTo(level) {
    shuttle = level;
    if (level > 0) {
      reverse = null;
      play(level);
    } else {
      video.pause();
      var started = !reverse;
      reverse = {from: video.currentTime, at: performance.now()};
      if (started) { window.requestAnimationFrame(reverseStep); }
    }
    showShuttle();
    setButton();
  }

  function faster(direction) {
    var now = shuttle * direction > 0 ? SHUTTLE.indexOf(Math.abs(shuttle)) : -1;
    shuttleTo(direction * SHUTTLE[Math.min(now + 1, SHUTTLE.length - 1)]);
  }

  function stepFrames(n) {
    stop();
    seekFrame(frameOnScreen(video.currentTime) + n);
  }

  toggle.addEventListener("click", function () {
    if (video.paused && !reverse) {
      play(parseFloat(speed.value) || 1);
    } else {
      stop();
    }
  });
  video.addEventListener("click", function () { toggle.click(); });
  video.addEventListener("play", function () { setButton(); tick(); });
  video.addEventListener("pause", setButton);
  video.addEventListener("ended", function () { if (shuttle > 0) { stop(); } });
  speed.addEventListener("change", function () {
    if (shuttle < 0) { stop(); }
    shuttle = 0;
    showShuttle();
    video.playbackRate = parseFloat(speed.value) || 1;
  });
  player.addEventListener("review:stop", stop);  // drawing.js, before drawing on the frame
  document.getElementById("frame-back").addEventListener("click", function () {
    stepFrames(-1);
  });
  document.getElementById("frame-forward").addEventListener("click", function () {
    stepFrames(1);
  });

  // The keys are the editor's, except while typing: a text field, a list, an editable area.
  var NOT_TYPING = ["range", "checkbox", "radio", "button", "submit", "reset"];
  function typing(el) {
    if (!el || !el.tagName) { return false; }
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") {
      return true;
    }
    return el.tagName === "INPUT" && NOT_TYPING.indexOf((el.type || "").toLowerCase()) < 0;
  }

  var kHeld = false;
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey
        || typing(event.target)) { return; }
    // While drawing on the frame (drawing.js) the keys rest: the frame must stay put.
    if (player.classList.contains("drawing")) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var done = true;
    if (key === "ArrowLeft" || key === "ArrowRight") {
      var sign = key === "ArrowLeft" ? -1 : 1;
      if (event.shiftKey) { seek(video.currentTime + sign); } else { stepFrames(sign); }
    } else if (key === "k") {
      kHeld = true;
      stop();
    } else if (key === "j" || key === "l") {
      if (kHeld) { stepFrames(key === "j" ? -1 : 1); }
      else if (!event.repeat) { faster(key === "j" ? -1 : 1); }
    } else if (key === " ") {
      // A focused button or link answers Space itself.
      if (event.target.closest && event.target.closest("button, a, summary")) { return; }
      toggle.click();
    } else if (key === "Home") {
      stop();
      seekFrame(0);
    } else if (key === "End") {
      stop();
      seekFrame(Infinity);
    } else {
      done = false;
    }
    if (done) { event.preventDefault(); }
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === "k" || event.key === "K") { kHeld = false; }
  });
  window.addEventListener("blur", function () { kHeld = false; });
  video.addEventListener("timeupdate", show);
  video.addEventListener("seeked", show);
  scrubber.addEventListener("input", function () { seek(parseFloat(scrubber.value)); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-seek]");
    if (button) { seek(parseFloat(button.dataset.seek)); }
    if (event.target.id === "use-now") {
      var field = document.getElementById("c-time");
      // The middle of the frame on screen, to the hundredth: the comment lands on that frame.
      var middle = (frameOnScreen(video.currentTime) + 0.5) / fps;
      field.value = (Math.round(middle * 100) / 100).toFixed(2);
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
  video.playbackRate = parseFloat(speed.value) || 1;  // a reload may keep the chosen speed
  var wanted = parseFloat(new URLSearchParams(window.location.search).get("t"));
  if (!isNaN(wanted)) {
    if (video.readyState >= 1) { seek(wanted); }
    else { video.addEventListener("loadedmetadata", function () { seek(wanted); }, { once: true }); }
  }
})();
