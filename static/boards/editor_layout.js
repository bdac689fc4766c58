/* The editor's layout on a laptop screen: the library panel folds away and the preview column
   widens on demand. Both choices are remembered in this browser, because a user who folds the
   library once does so on every storyboard. They only toggle classes on #editor-root, which htmx
   never swaps. */
(function () {
  "use strict";

  const root = document.getElementById("editor-root");
  if (!root) return;

  function remembered(key) {
    try { return window.localStorage.getItem(key) === "1"; } catch (e) { return false; }
  }
  function remember(key, on) {
    try { window.localStorage.setItem(key, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  // A toggle: a button, the class it sets on the root, and how the button reads either way.
  function toggle(id, key, cls, apply) {
    const button = document.getElementById(id);
    if (!button) return;
    const set = (on) => {
      root.classList.toggle(cls, on);
      apply(button, on);
      remember(key, on);
    };
    set(remembered(key));
    button.addEventListener("click", () => set(!root.classList.contains(cls)));
  }

  toggle("library-toggle", "storyboard.editor.library-hidden", "library-hidden", (b, hidden) => {
    b.setAttribute("aria-expanded", hidden ? "false" : "true");
    b.textContent = hidden ? "Show library" : "Hide library";
  });
  toggle("preview-size", "storyboard.editor.preview-wide", "preview-wide", (b, wide) => {
    b.setAttribute("aria-pressed", wide ? "true" : "false");
  });
})();
