/* The storyboard editor: drag and drop, shot cards, token completion. The form itself is posted
   by htmx (hx-trigger on #editor) and the server answers with the report only, so nothing here
   ever rewrites what the user is typing. Structural changes (a slot, a shot) are made in the DOM
   and then announced with the "editor:changed" event, which saves at once. */
(function () {
  "use strict";

  // Refusals (422) and conflicts (409) carry messages to show; other errors only a status line.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];

  const root = document.getElementById("editor-root");
  const form = document.getElementById("editor");
  if (!root || !form) return;
  const editable = root.dataset.editable === "1";
  const MIN_SHOTS = Number(root.dataset.minShots);
  const MAX_SHOTS = Number(root.dataset.maxShots);
  const status = () => document.getElementById("save-status");
  const changed = () => htmx.trigger(form, "editor:changed");
  let conflict = false;

  function setStatus(text, bad) {
    const el = status();
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("bad", !!bad);
  }

  // Say at once that a change is waiting for its save (the save itself is debounced), and
  // keep saying it when an earlier save answers while a newer change still waits.
  let dirty = false;
  const edited = () => {
    dirty = true;
    if (!conflict) setStatus("Unsaved changes…");
    // Submit sends what is saved: wait for this change's save (its answer redraws the button).
    const submit = document.getElementById("submit-button");
    if (submit) submit.disabled = true;
  };
  form.addEventListener("input", edited);
  form.addEventListener("editor:changed", edited);
  form.addEventListener("htmx:beforeRequest", (e) => {
    if (e.detail.elt !== form) return;
    if (conflict) { e.preventDefault(); return; }
    dirty = false;
    setStatus("Saving…");
  });
  form.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt !== form) return;
    const xhr = e.detail.xhr;
    if (xhr && xhr.status === 409) conflict = true;
    if (dirty && !conflict && e.detail.successful) setStatus("Unsaved changes…");
    if (!e.detail.successful && xhr && xhr.status !== 409 && xhr.status !== 422) {
      setStatus("Not saved: the server did not answer (" + (xhr.status || "offline") +
        "). Your text is still here; the next change tries again.", true);
    }
  });
  document.body.addEventListener("htmx:sendError", () =>
    setStatus("Not saved: the server cannot be reached. The next change tries again.", true));
  document.body.addEventListener("htmx:oobErrorNoTarget", (e) => e.preventDefault());
  // Bring the preview panel into view when Preview is pressed and when its player arrives,
  // not on every poll while the worker renders.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (!e.detail.target || e.detail.target.id !== "preview") return;
    const panel = document.getElementById("preview");
    const verb = e.detail.requestConfig && e.detail.requestConfig.verb;
    if (panel && (verb === "post" || panel.querySelector("video"))) {
      panel.scrollIntoView({ block: "nearest" });
    }
  });
  // After a switch between single and multi-shot the server redraws the shots.
  document.body.addEventListener("htmx:oobAfterSwap", (e) => {
    if (e.detail.target && e.detail.target.id === "composition") setUpComposition();
  });

  /* ---- library panel: filter, drag, keyboard "+" ------------------------------------------ */

  const filter = document.getElementById("lib-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      document.querySelectorAll(".lib-item").forEach((li) => {
        li.hidden = q !== "" && !li.dataset.name.toLowerCase().includes(q);
      });
    });
  }

  const tray = document.getElementById("tray");
  const LIMIT = { image: 7, element: 7, video: 1 };

  function freeSlot(kind) {
    const taken = new Set([...tray.querySelectorAll(".slot")].map((li) => li.dataset.slot));
    for (let n = 1; n <= LIMIT[kind]; n++) {
      if (!taken.has(kind + "_" + n)) return kind + "_" + n;
    }
    return null;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
      '"': "&quot;", "'": "&#39;" }[c]));
  }

  // Tray notices have a region of their own: a save answering meanwhile rewrites the save
  // status, and must not wipe "already in the tray" before it is read.
  function trayNotice(text) {
    const el = document.getElementById("tray-notice");
    if (el) el.textContent = text;
  }

  function addToTray(item) {
    trayNotice("");
    const kind = item.dataset.kind;
    const already = [...tray.querySelectorAll('.slot input[name^="item_"]')].find(
      (input) => input.value === item.dataset.ref);
    if (already) {
      const name = already.name.slice("item_".length);
      trayNotice(item.dataset.name + " is already in the tray as @" + name + ".");
      return;
    }
    const slot = freeSlot(kind);
    if (!slot) {
      trayNotice("Not added: every " + kind + " slot is taken. Remove one from the tray first.");
      return;
    }
    const tpl = document.getElementById("slot-template-" + kind);
    const html = tpl.innerHTML
      .replaceAll("__SLOT__", slot)
      .replaceAll("__REF__", escapeHtml(item.dataset.ref))
      .replaceAll("__THUMB__", escapeHtml(item.dataset.thumb))
      .replaceAll("__NAME__", escapeHtml(item.dataset.name));
    const holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    const li = holder.firstElementChild;
    if (kind === "element" && item.dataset.videoElement === "1") {
      const note = li.querySelector(".slot-body .muted");
      if (note) note.textContent = "Video element";
    }
    // Keep the tray in slot order: images, elements, then the video.
    const order = (name) => ({ image: 0, element: 1, video: 2 }[name.split("_")[0]] * 10 +
      Number(name.split("_")[1]));
    const after = [...tray.querySelectorAll(".slot")].find((s) => order(s.dataset.slot) >
      order(slot));
    tray.insertBefore(li, after || tray.querySelector(".tray-hint"));
    htmx.process(li);
    changed();
  }

  document.querySelectorAll(".lib-item").forEach((item) => {
    item.addEventListener("dragstart", (e) => {
      e.dataTransfer.setData("text/x-storyboard-ref", item.dataset.ref);
      e.dataTransfer.effectAllowed = "copy";
    });
    const add = item.querySelector(".lib-add");
    if (add) add.addEventListener("click", () => addToTray(item));
  });

  if (tray && editable) {
    tray.addEventListener("dragover", (e) => {
      if (![...e.dataTransfer.types].includes("text/x-storyboard-ref")) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      tray.classList.add("drop-here");
    });
    tray.addEventListener("dragleave", () => tray.classList.remove("drop-here"));
    tray.addEventListener("drop", (e) => {
      tray.classList.remove("drop-here");
      const ref = e.dataTransfer.getData("text/x-storyboard-ref");
      if (!ref) return;
      e.preventDefault();
      const item = document.querySelector('.lib-item[data-ref="' + CSS.escape(ref) + '"]');
      if (item) addToTray(item);
    });
    tray.addEventListener("click", (e) => {
      const remove = e.target.closest(".slot-remove");
      if (remove) {
        remove.closest(".slot").remove();
        changed();
        return;
      }
      const token = e.target.closest(".token");
      if (token) insertToken(token.dataset.token);
    });
  }

  /* ---- prompts: token insertion and completion -------------------------------------------- */

  let lastPrompt = null;
  form.addEventListener("focusin", (e) => {
    if (e.target.matches("textarea.prompt")) lastPrompt = e.target;
  });

  function insertToken(token, replaceFrom) {
    const known = lastPrompt && document.body.contains(lastPrompt);
    const area = known ? lastPrompt : form.querySelector("textarea.prompt");
    if (!area) return;
    // No prompt edited yet: the token goes at the end of the first one.
    if (!known) area.setSelectionRange(area.value.length, area.value.length);
    const start = replaceFrom != null ? replaceFrom : area.selectionStart;
    const end = area.selectionEnd;
    const before = area.value.slice(0, start);
    const space = before && !/\s$/.test(before) && replaceFrom == null ? " " : "";
    area.value = before + space + token + " " + area.value.slice(end);
    const caret = (before + space + token + " ").length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  const menu = document.getElementById("token-menu");
  let menuFor = null, menuFrom = 0, menuIndex = 0;

  function tokens() {
    return [...tray.querySelectorAll(".slot")].map((s) => ({
      token: "@" + s.dataset.slot, name: s.querySelector(".slot-name").textContent }));
  }

  function closeMenu() {
    menu.hidden = true;
    menuFor = null;
  }

  function openMenu(area) {
    const upto = area.value.slice(0, area.selectionStart);
    const m = /(^|[^\w@])@(\w*)$/.exec(upto);
    if (!m) return closeMenu();
    const typed = m[2].toLowerCase();
    const options = tokens().filter((t) => t.token.slice(1).startsWith(typed) ||
      t.name.toLowerCase().startsWith(typed));
    if (!options.length) return closeMenu();
    menuFor = area;
    menuFrom = upto.length - m[2].length - 1;
    menuIndex = Math.min(menuIndex, options.length - 1);
    menu.innerHTML = "";
    options.forEach((t, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "token-option-" + i;
      li.dataset.token = t.token;
      li.setAttribute("aria-selected", i === menuIndex ? "true" : "false");
      li.textContent = t.token + " · " + t.name;
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        pick(t.token);
      });
      menu.appendChild(li);
    });
    const box = area.getBoundingClientRect();
    const host = form.getBoundingClientRect();
    menu.style.left = (box.left - host.left) + "px";
    menu.style.top = (box.bottom - host.top + 2) + "px";
    menu.hidden = false;
    area.setAttribute("aria-activedescendant", "token-option-" + menuIndex);
  }

  function pick(token) {
    const area = menuFor;
    closeMenu();
    if (!area) return;
    lastPrompt = area;
    area.setSelectionRange(area.selectionStart, area.selectionStart);
    insertToken(token, menuFrom);
  }

  form.addEventListener("input", (e) => {
    if (e.target.matches("textarea.prompt") && e.isTrusted) openMenu(e.target);
  });
  form.addEventListener("keydown", (e) => {
    if (menu.hidden || e.target !== menuFor) return;
    const options = [...menu.children];
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      menuIndex = (menuIndex + (e.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      options.forEach((o, i) => o.setAttribute("aria-selected", i === menuIndex ? "true" : "false"));
      menuFor.setAttribute("aria-activedescendant", "token-option-" + menuIndex);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      pick(options[menuIndex].dataset.token);
    } else if (e.key === "Escape") {
      closeMenu();
    }
  });
  form.addEventListener("focusout", (e) => {
    if (e.target === menuFor) setTimeout(closeMenu, 150);
  });

  /* ---- shot cards ------------------------------------------------------------------------- */

  function seconds(card) {
    const n = parseInt(card.querySelector("input.duration").value, 10);
    return Number.isFinite(n) && n > 0 ? Math.min(n, 60) : 1;
  }

  function renumber() {
    const timeline = document.getElementById("timeline");
    if (!timeline) return;
    const cards = [...timeline.querySelectorAll(".shot")];
    cards.forEach((card, i) => {
      const n = String(i + 1);
      card.querySelectorAll(".n").forEach((el) => { el.textContent = n; });
      card.querySelectorAll("[data-id]").forEach((el) => {
        el.id = el.dataset.id.replace("{i}", i);
      });
      card.querySelectorAll("[data-for]").forEach((el) => {
        el.htmlFor = el.dataset.for.replace("{i}", i);
      });
      card.querySelectorAll("[data-describedby]").forEach((el) => {
        el.setAttribute("aria-describedby", el.dataset.describedby.replaceAll("{i}", i));
      });
      card.querySelectorAll("[data-label]").forEach((el) => {
        el.setAttribute("aria-label", el.dataset.label.replace("{n}", n));
      });
      const tool = (act) => card.querySelector('[data-act="' + act + '"]');
      if (tool("left")) tool("left").disabled = i === 0;
      if (tool("right")) tool("right").disabled = i === cards.length - 1;
      if (tool("del")) tool("del").disabled = cards.length <= MIN_SHOTS;
      if (tool("dup")) tool("dup").disabled = cards.length >= MAX_SHOTS;
      sizeCard(card);
    });
    const add = document.getElementById("add-shot");
    if (add) add.disabled = cards.length >= MAX_SHOTS;
  }

  // Card widths follow their seconds through data-secs and the stylesheet, never a style
  // attribute: htmx copies attributes between old and new cards when it swaps, and the CSP
  // refuses a style attribute set that way.
  function sizeCard(card) {
    const s = seconds(card);
    card.dataset.secs = String(Math.max(1, Math.min(15, Math.round(s) || 1)));
    const edge = card.querySelector(".edge");
    if (edge) {
      edge.setAttribute("aria-valuenow", s);
      edge.setAttribute("aria-valuetext", s + " seconds");
    }
  }

  function blankCard(from) {
    const card = from.cloneNode(true);
    card.querySelector("textarea").value = "";
    card.querySelector("input.duration").value = "3";
    card.querySelectorAll(".problems").forEach((ul) => { ul.innerHTML = ""; });
    card.querySelectorAll(".counter").forEach((c) => { c.classList.remove("over"); });
    return card;
  }

  function setUpComposition() {
    const timeline = document.getElementById("timeline");
    const add = document.getElementById("add-shot");
    if (!timeline || !editable || timeline.dataset.wired) return;
    timeline.dataset.wired = "1";
    renumber();
    if (add) {
      add.addEventListener("click", () => {
        const cards = timeline.querySelectorAll(".shot");
        if (cards.length >= MAX_SHOTS) return;
        const card = blankCard(cards[cards.length - 1]);
        timeline.appendChild(card);
        renumber();
        changed();
        card.querySelector("textarea").focus();
      });
    }
    timeline.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-act]");
      if (!button) return;
      const card = button.closest(".shot");
      const act = button.dataset.act;
      if (act === "del") {
        if (timeline.querySelectorAll(".shot").length <= MIN_SHOTS) return;
        const next = card.nextElementSibling || card.previousElementSibling;
        card.remove();
        if (next) next.querySelector("textarea").focus();
      } else if (act === "dup") {
        if (timeline.querySelectorAll(".shot").length >= MAX_SHOTS) return;
        const copy = blankCard(card);
        copy.querySelector("textarea").value = card.querySelector("textarea").value;
        copy.querySelector("input.duration").value = card.querySelector("input.duration").value;
        card.after(copy);
      } else if (act === "left" && card.previousElementSibling) {
        card.previousElementSibling.before(card);
        button.focus();
      } else if (act === "right" && card.nextElementSibling) {
        card.nextElementSibling.after(card);
        button.focus();
      } else {
        return;
      }
      renumber();
      changed();
    });
    timeline.addEventListener("input", (e) => {
      if (e.target.matches("input.duration")) sizeCard(e.target.closest(".shot"));
    });
    if (window.Sortable) {
      Sortable.create(timeline, {
        handle: ".shot-head", filter: "button", preventOnFilter: false, animation: 120,
        draggable: ".shot", onEnd: (evt) => {
          if (evt.oldIndex !== evt.newIndex) { renumber(); changed(); }
        },
      });
    }
    timeline.querySelectorAll(".edge").forEach(wireEdge);
  }

  // Dragging a card's right edge sets its duration in whole seconds; arrows do the same.
  function wireEdge(edge) {
    const card = edge.closest(".shot");
    const input = () => card.querySelector("input.duration");
    function setSeconds(s) {
      s = Math.max(1, Math.min(60, s));
      if (String(s) === input().value) return false;
      input().value = String(s);
      sizeCard(card);
      return true;
    }
    edge.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
      if (!step) return;
      e.preventDefault();
      if (setSeconds(seconds(card) + step)) changed();
    });
    edge.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      edge.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const start = seconds(card);
      const perSecond = Math.max(24, card.getBoundingClientRect().width / start);
      let moved = false;
      card.classList.add("resizing");
      const move = (m) => {
        if (setSeconds(start + Math.round((m.clientX - startX) / perSecond))) moved = true;
      };
      const up = () => {
        edge.removeEventListener("pointermove", move);
        edge.removeEventListener("pointerup", up);
        edge.removeEventListener("pointercancel", up);
        card.classList.remove("resizing");
        if (moved) changed();
      };
      edge.addEventListener("pointermove", move);
      edge.addEventListener("pointerup", up);
      edge.addEventListener("pointercancel", up);
    });
  }

  setUpComposition();
  window.addEventListener("pageshow", renumber);
})();
