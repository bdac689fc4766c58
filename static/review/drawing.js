// Drawing on the frame, over the review player (team page and guest page alike):
//  - the drawings of the comments show over the video while the playhead is within WINDOW
//    seconds of their comment's time (playing or paused; clicking a comment seeks there);
//  - whoever may comment pauses with "Draw on the frame", draws with the pen, an arrow or a
//    rectangle in a colour of the palette, undoes or clears, and the drawing goes with the
//    comment form (its hidden "drawing" field) at the time code of that frame.
// The shapes are vector data, {"shapes": [{kind, colour, points: [[x, y], …]}]}, x and y from
// 0 to 1 across the frame; storyboard/review/drawing.py checks them on the server and draws the
// same SVG (arrow heads, strokes): change both together. Elements are built one by one from
// numbers and palette values, never from markup.
(function () {
  "use strict";
  var player = document.getElementById("player");
  var overlay = document.getElementById("overlay");
  var video = document.getElementById("review-video");
  if (!player || !overlay || !video) { return; }
  var tools = document.getElementById("draw-tools");
  var NS = "http://www.w3.org/2000/svg";
  var WINDOW = 0.5;  // seconds either side of a comment's time while its drawing shows
  var STROKE = 4;  // screen pixels: strokes keep their width at any player size
  var ARROW_HEAD = 0.035, ARROW_HEAD_MAX = 0.45, ARROW_ANGLE = 28 * Math.PI / 180;
  var MIN_STEP = 0.003;  // of the frame: a pen point closer to the last one adds nothing
  var KINDS = ["pen", "arrow", "rect"];
  var palette = {};
  try { palette = JSON.parse(overlay.dataset.palette || "{}"); } catch (e) { palette = {}; }

  function frame() {
    var box = overlay.viewBox.baseVal;
    return { w: box && box.width > 0 ? box.width : 16, h: box && box.height > 0 ? box.height : 9 };
  }

  function element(name, attributes) {
    var el = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (key) { el.setAttribute(key, String(attributes[key])); });
    return el;
  }

  function num(v) { return Math.round(v * 100) / 100; }

  function paint(colour, extra) {
    var attributes = { fill: "none", stroke: colour, "stroke-width": STROKE,
      "stroke-linecap": "round", "stroke-linejoin": "round",
      "vector-effect": "non-scaling-stroke" };
    Object.keys(extra).forEach(function (key) { attributes[key] = extra[key]; });
    return attributes;
  }

  function pairs(points) {
    return points.map(function (p) { return num(p[0]) + "," + num(p[1]); }).join(" ");
  }

  function isCoordinate(v) { return typeof v === "number" && isFinite(v) && v >= 0 && v <= 1; }

  // Points in the SVG's units, or null when they are not pairs of numbers from 0 to 1.
  function scaled(points, box) {
    if (!Array.isArray(points)) { return null; }
    var out = [];
    for (var i = 0; i < points.length; i++) {
      var p = points[i];
      if (!Array.isArray(p) || p.length !== 2 || !isCoordinate(p[0]) || !isCoordinate(p[1])) {
        return null;
      }
      out.push([p[0] * box.w, p[1] * box.h]);
    }
    return out;
  }

  function arrowHead(tail, head, longer) {
    var dx = head[0] - tail[0], dy = head[1] - tail[1];
    var size = Math.min(ARROW_HEAD * longer, ARROW_HEAD_MAX * Math.hypot(dx, dy));
    var angle = Math.atan2(dy, dx);
    return [[head[0] - size * Math.cos(angle - ARROW_ANGLE), head[1] - size * Math.sin(angle - ARROW_ANGLE)],
      head,
      [head[0] - size * Math.cos(angle + ARROW_ANGLE), head[1] - size * Math.sin(angle + ARROW_ANGLE)]];
  }

  function drawShape(shape, box) {
    if (!shape || KINDS.indexOf(shape.kind) < 0) { return; }
    var colour = Object.prototype.hasOwnProperty.call(palette, shape.colour) ? palette[shape.colour] : null;
    var points = scaled(shape.points, box);
    if (!colour || !points || points.length < 2) { return; }
    if (shape.kind === "pen") {
      overlay.appendChild(element("polyline", paint(colour, { points: pairs(points) })));
      return;
    }
    var a = points[0], b = points[1];
    if (shape.kind === "rect") {
      overlay.appendChild(element("rect", paint(colour, { x: num(Math.min(a[0], b[0])),
        y: num(Math.min(a[1], b[1])), width: num(Math.abs(b[0] - a[0])),
        height: num(Math.abs(b[1] - a[1])) })));
      return;
    }
    overlay.appendChild(element("line", paint(colour, { x1: num(a[0]), y1: num(a[1]),
      x2: num(b[0]), y2: num(b[1]) })));
    overlay.appendChild(element("polyline", paint(colour, {
      points: pairs(arrowHead(a, b, Math.max(box.w, box.h))) })));
  }

  // The comments' drawings, read from their list items (the server wrote them there).
  var comments = [];
  function readComments() {
    comments = [];
    document.querySelectorAll("[data-drawing]").forEach(function (item) {
      var drawing;
      try { drawing = JSON.parse(item.dataset.drawing); } catch (e) { return; }
      var at = parseFloat(item.dataset.drawingAt);
      if (!drawing || !Array.isArray(drawing.shapes) || !isFinite(at)) { return; }
      comments.push({ at: at, shapes: drawing.shapes, label: item.dataset.drawingLabel || "Drawing",
        item: item });
    });
    shownKey = null;
  }

  // The drawing being made: its shapes, the frame it is on, the shape under the pointer.
  var draft = { shapes: [], at: null, version: 0 };
  var stroke = null;
  var drawing = false;  // drawing mode: the overlay takes the pointer, the player keys rest
  var tool = "pen", colour = Object.keys(palette)[0] || "red";
  var limits = tools ? { shapes: parseInt(tools.dataset.maxShapes, 10) || 50,
    points: parseInt(tools.dataset.maxPoints, 10) || 500,
    chars: parseInt(tools.dataset.maxChars, 10) || 100000 } : null;

  function fmt(s) {
    var tenths = Math.round(Math.max(s, 0) * 10);
    var m = Math.floor(tenths / 600), rest = tenths % 600, sec = Math.floor(rest / 10);
    return m + ":" + (sec < 10 ? "0" : "") + sec + "." + (rest % 10);
  }

  function near(at) { return at !== null && Math.abs(video.currentTime - at) <= WINDOW + 1e-6; }

  var shownKey = null;
  function update() {
    var layers = [], labels = [];
    if (drawing) {
      layers.push(draft.shapes.concat(stroke ? [stroke] : []));
      labels.push("Your drawing at " + fmt(draft.at || 0));
    } else {
      comments.forEach(function (c) {
        var on = near(c.at);
        c.item.classList.toggle("drawing-shown", on);
        if (on) { layers.push(c.shapes); labels.push(c.label); }
      });
      if (draft.shapes.length && near(draft.at)) {
        layers.push(draft.shapes);
        labels.push("Your drawing at " + fmt(draft.at));
      }
    }
    var key = (drawing ? "d" : "") + labels.join("|") + "#" + draft.version;
    if (key === shownKey) { return; }
    shownKey = key;
    while (overlay.firstChild) { overlay.removeChild(overlay.firstChild); }
    var box = frame();
    layers.forEach(function (shapes) { shapes.forEach(function (s) { drawShape(s, box); }); });
    if (labels.length) {
      overlay.removeAttribute("aria-hidden");
      overlay.setAttribute("role", "img");
      overlay.setAttribute("aria-label", labels.join("; "));
    } else {
      overlay.setAttribute("aria-hidden", "true");
      overlay.removeAttribute("role");
      overlay.removeAttribute("aria-label");
    }
  }

  function follow() {
    update();
    if (!video.paused) { window.requestAnimationFrame(follow); }
  }
  video.addEventListener("play", function () {
    if (drawing) { setDrawing(false); }
    follow();
  });
  video.addEventListener("timeupdate", update);
  video.addEventListener("seeked", update);
  video.addEventListener("seeking", function () {
    // Moving away from the frame being drawn on ends drawing; the drawing stays with it.
    if (drawing && Math.abs(video.currentTime - draft.at) > 0.02) { setDrawing(false); }
    update();
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    readComments();
    if (tools) { afterSwap(); }
    update();
  });
  readComments();
  update();

  if (!tools) { return; }  // watching only: no drawing tools on this page
  tools.hidden = false;
  var toggle = document.getElementById("draw-toggle");
  var undo = document.getElementById("draw-undo");
  var clear = document.getElementById("draw-clear");
  var status = document.getElementById("draw-status");
  var field = document.getElementById("c-drawing");

  function say(text) { status.textContent = text; }

  function describe() {
    var n = draft.shapes.length;
    if (!n) {
      return drawing ? "Drag on the frame to draw; Esc stops." : "";
    }
    return n + (n === 1 ? " shape" : " shapes") + " at " + fmt(draft.at) +
      ": posted with your comment.";
  }

  function sync(message) {
    var text = draft.shapes.length ? JSON.stringify({ shapes: draft.shapes }) : "";
    if (field) { field.value = text; }
    undo.disabled = !draft.shapes.length;
    clear.disabled = !draft.shapes.length;
    draft.version += 1;
    say(message || describe());
    update();
  }

  function setDrawing(on) {
    if (on === drawing) { return; }
    if (on) {
      player.dispatchEvent(new CustomEvent("review:stop"));  // review.js: pause, end J/L
      video.pause();
      var useNow = document.getElementById("use-now");
      if (useNow) { useNow.click(); }  // the time code field takes the frame on screen
      draft.at = video.currentTime;
    }
    stroke = null;
    drawing = on;
    player.classList.toggle("drawing", on);
    overlay.classList.toggle("active", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    sync();
  }

  function press(selector, chosen) {
    tools.querySelectorAll(selector).forEach(function (button) {
      button.setAttribute("aria-pressed", button === chosen ? "true" : "false");
    });
  }

  tools.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button) { return; }
    if (button === toggle) { setDrawing(!drawing); return; }
    if (button.dataset.tool) { tool = button.dataset.tool; press("[data-tool]", button); }
    if (button.dataset.colour) { colour = button.dataset.colour; press("[data-colour]", button); }
    if (button.dataset.tool || button.dataset.colour) { setDrawing(true); return; }
    if (button === undo) { draft.shapes.pop(); sync(); }
    if (button === clear) { draft.shapes = []; sync(); }
  });

  // Where the pointer is on the frame, 0..1 each way (the letterbox bars clamp to its edge).
  function pointAt(event) {
    var matrix = overlay.getScreenCTM();
    if (!matrix) { return null; }
    var p = overlay.createSVGPoint();
    p.x = event.clientX;
    p.y = event.clientY;
    var local = p.matrixTransform(matrix.inverse()), box = frame();
    function unit(v) { return Math.round(Math.min(Math.max(v, 0), 1) * 10000) / 10000; }
    return [unit(local.x / box.w), unit(local.y / box.h)];
  }

  overlay.addEventListener("pointerdown", function (event) {
    if (!drawing || event.button !== 0) { return; }
    event.preventDefault();
    if (draft.shapes.length >= limits.shapes) {
      say("At most " + limits.shapes + " shapes on a drawing: undo or clear one first.");
      return;
    }
    var p = pointAt(event);
    if (!p) { return; }
    stroke = { kind: tool, colour: colour, points: tool === "pen" ? [p] : [p, p.slice()] };
    overlay.setPointerCapture(event.pointerId);
    draft.version += 1;
    update();
  });

  overlay.addEventListener("pointermove", function (event) {
    if (!stroke) { return; }
    var p = pointAt(event);
    if (!p) { return; }
    if (stroke.kind === "pen") {
      var last = stroke.points[stroke.points.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < MIN_STEP) { return; }
      if (stroke.points.length >= limits.points) {
        say("A pen stroke holds " + limits.points + " points: lift and draw on.");
        return;
      }
      stroke.points.push(p);
    } else {
      stroke.points[1] = p;
    }
    draft.version += 1;
    update();
  });

  function finish() {
    var shape = stroke;
    stroke = null;
    if (!shape) { return; }
    var pts = shape.points;
    if (shape.kind === "pen" && pts.length === 1) { pts.push(pts[0].slice()); }  // a dot
    if (shape.kind !== "pen" && Math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]) < 0.005) {
      sync("Too small to keep: drag further.");
      return;
    }
    var size = JSON.stringify({ shapes: draft.shapes.concat([shape]) }).length;
    if (size > limits.chars) {
      sync("The drawing is full (" + limits.chars.toLocaleString("en") +
        " characters of data): undo a long stroke, or draw shorter ones.");
      return;
    }
    draft.shapes.push(shape);
    sync();
  }
  overlay.addEventListener("pointerup", finish);
  overlay.addEventListener("pointercancel", finish);

  // While drawing the player keys rest (review.js checks the class); Esc stops drawing and
  // Ctrl/Cmd+Z undoes the last shape.
  document.addEventListener("keydown", function (event) {
    if (!drawing || event.defaultPrevented) { return; }
    var target = event.target, tag = target && target.tagName;
    if (tag === "TEXTAREA" || (tag === "INPUT" && target.type !== "button")) { return; }
    if (event.key === "Escape") {
      setDrawing(false);
      event.preventDefault();
    } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey &&
               (event.key === "z" || event.key === "Z")) {
      draft.shapes.pop();
      sync();
      event.preventDefault();
    }
  });

  // The comment form was swapped (htmx): posted, so the drawing went with it; refused, so the
  // new form gets the drawing back.
  function afterSwap() {
    var now = document.getElementById("c-drawing");
    if (!now || now === field) { return; }
    field = now;
    if (document.getElementById("c-error")) { sync(); return; }
    draft.shapes = [];
    draft.at = null;
    setDrawing(false);
    sync();
  }
  sync();
})();
