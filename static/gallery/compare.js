// Two takes side by side, played in sync: one control drives both; the second follows the
// first and is nudged back whenever it drifts by more than a frame or two.
(function () {
  "use strict";
  var videos = Array.prototype.slice.call(document.querySelectorAll("video.synced"));
  if (videos.length !== 2) { return; }
  var lead = videos[0], follow = videos[1];
  var play = document.getElementById("sync-play");
  var restart = document.getElementById("sync-restart");
  var pos = document.getElementById("sync-pos");
  var clock = document.getElementById("sync-time");
  var longest = function () {
    return Math.max(lead.duration || 0, follow.duration || 0) || 1;
  };

  function fmt(s) {
    var tenths = Math.round(Math.max(s, 0) * 10);
    var m = Math.floor(tenths / 600), rest = tenths % 600;
    var sec = Math.floor(rest / 10);
    return m + ":" + (sec < 10 ? "0" : "") + sec + "." + (rest % 10);
  }

  function seek(t) {
    videos.forEach(function (v) {
      v.currentTime = Math.min(t, (v.duration || t) - 0.001);
    });
    show();
  }

  function show() {
    pos.value = Math.round(lead.currentTime / longest() * 1000);
    clock.textContent = fmt(lead.currentTime);
  }

  function playing() { return !lead.paused; }

  function setButton() {
    play.textContent = playing() ? "Pause both" : "Play both";
  }

  play.addEventListener("click", function () {
    if (playing()) {
      videos.forEach(function (v) { v.pause(); });
    } else {
      if (lead.ended || follow.ended) { seek(0); }
      follow.currentTime = lead.currentTime;
      videos.forEach(function (v) {
        var p = v.play();
        if (p && p.catch) { p.catch(function () {}); }
      });
    }
  });
  restart.addEventListener("click", function () { seek(0); });
  pos.addEventListener("input", function () { seek(pos.value / 1000 * longest()); });
  lead.addEventListener("play", setButton);
  lead.addEventListener("pause", setButton);
  lead.addEventListener("timeupdate", function () {
    if (!lead.paused && !follow.paused && Math.abs(follow.currentTime - lead.currentTime) > 0.08
        && lead.currentTime < (follow.duration || 0)) {
      follow.currentTime = lead.currentTime;
    }
    show();
  });
  lead.addEventListener("ended", function () { follow.pause(); setButton(); });
})();
