// The reel: the chosen takes of a sequence back to back in one <video> element, switching its
// source at the end of each, with one scrubber across the whole reel. Thick marks are
// storyboard boundaries, dashed ones shot boundaries (the planned seconds scaled to the take's
// real length). A storyboard with no take plays its animatic, labelled "Animatic (no take
// yet)" and hatched yellow on the scrubber; one with neither is skipped, its span hatched grey.
(function () {
  "use strict";
  function start() {
    var root = document.querySelector("[data-reel]");
    if (!root) return;
    var video = root.querySelector("video");
    var play = root.querySelector("[data-reel-play]");
    var scrubber = root.querySelector("[data-reel-scrubber]");
    var progress = root.querySelector("[data-reel-progress]");
    var timeLabel = root.querySelector("[data-reel-time]");
    var now = root.querySelector("[data-reel-now]");
    var items = Array.prototype.map.call(root.querySelectorAll(".reel-items li"), function (li) {
      return {
        src: li.getAttribute("data-src") || "",
        seconds: parseFloat(li.getAttribute("data-seconds")) || 0,
        start: parseFloat(li.getAttribute("data-start")) || 0,
        shots: (li.getAttribute("data-shots") || "").split(",").filter(Boolean).map(parseFloat),
        title: li.getAttribute("data-title") || "",
        kind: li.getAttribute("data-kind"),
      };
    });
    var total = parseFloat(scrubber.getAttribute("data-total")) || 0;
    var current = -1;
    var wantPlay = false;
    // Where to go in a source being loaded: one listener for all sources, so quick seeks
    // across storyboards do not pile up listeners that jump back to an older position.
    var pending = null;

    function pct(t) { return total ? (100 * t / total) + "%" : "0"; }
    function mark(cls, at, width) {
      var m = document.createElement("span");
      m.className = "reel-mark " + cls;
      m.style.left = pct(at);
      if (width !== undefined) m.style.width = pct(width);
      scrubber.appendChild(m);
    }
    items.forEach(function (item, i) {
      if (i > 0) mark("board", item.start);
      item.shots.forEach(function (s) { mark("shot", item.start + s); });
      // Hatched: yellow where an animatic stands in, grey where nothing plays (skipped).
      if (item.kind === "animatic") mark("animatic-span", item.start, item.seconds);
      if (item.kind === "none") mark("skipped-span", item.start, item.seconds);
    });

    function playable(i) { return i >= 0 && i < items.length && items[i].src; }
    function nextPlayable(i) { while (i < items.length && !playable(i)) i += 1; return i; }
    function label(i) {
      var item = items[i];
      var what = item.kind === "take" ? "Take" : "Animatic (no take yet)";
      now.textContent = (i + 1) + ". " + item.title + " — " + what;
      now.className = "reel-now" + (item.kind === "take" ? "" : " animatic");
    }
    function show(t) {
      progress.style.width = pct(t);
      scrubber.setAttribute("aria-valuenow", t.toFixed(1));
      timeLabel.textContent = t.toFixed(1) + " / " + total.toFixed(1) + " s";
    }
    function load(i, offset) {
      i = nextPlayable(i);
      if (i >= items.length) { wantPlay = false; play.textContent = "Play reel"; return; }
      var item = items[i];
      label(i);
      if (current !== i) {
        current = i;
        pending = offset;
        video.src = item.src;
      } else if (pending !== null) {
        pending = offset;  // the source is still loading: the newest seek wins
      } else {
        video.currentTime = offset;
        if (wantPlay) video.play().catch(function () {});
      }
    }
    function seek(t) {
      t = Math.max(0, Math.min(total, t));
      var i = 0;
      while (i < items.length - 1 && t >= items[i].start + items[i].seconds) i += 1;
      var offset = Math.max(0, t - items[i].start);
      if (!playable(i)) { i = nextPlayable(i); offset = 0; }
      show(i < items.length ? items[i].start + offset : total);
      load(i, offset);
    }
    video.addEventListener("loadedmetadata", function () {
      if (pending === null || current < 0) return;
      var seconds = video.duration || items[current].seconds;
      video.currentTime = Math.min(pending, Math.max(0, seconds - 0.05));
      pending = null;
      if (wantPlay) video.play().catch(function () {});
    });
    video.addEventListener("timeupdate", function () {
      if (current < 0) return;
      var item = items[current];
      // What plays is scaled onto the storyboard's span: its real length may differ a little.
      var scale = video.duration ? item.seconds / video.duration : 1;
      show(item.start + Math.min(video.currentTime * scale, item.seconds));
    });
    video.addEventListener("ended", function () {
      if (current + 1 >= items.length || nextPlayable(current + 1) >= items.length) {
        wantPlay = false; play.textContent = "Play reel"; show(total); return;
      }
      load(current + 1, 0);
    });
    play.addEventListener("click", function () {
      if (wantPlay) {
        wantPlay = false; video.pause(); play.textContent = "Play reel"; return;
      }
      wantPlay = true;
      play.textContent = "Pause reel";
      if (current < 0 || video.ended) { seek(0); return; }
      video.play().catch(function () {});
    });
    scrubber.addEventListener("click", function (event) {
      var box = scrubber.getBoundingClientRect();
      seek(total * (event.clientX - box.left) / box.width);
    });
    scrubber.addEventListener("keydown", function (event) {
      var at = parseFloat(scrubber.getAttribute("aria-valuenow")) || 0;
      if (event.key === "ArrowRight") { seek(at + 1); event.preventDefault(); }
      if (event.key === "ArrowLeft") { seek(at - 1); event.preventDefault(); }
      if (event.key === "Home") { seek(0); event.preventDefault(); }
    });
    var first = nextPlayable(0);
    if (first < items.length) { label(first); current = first; video.src = items[first].src; }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
