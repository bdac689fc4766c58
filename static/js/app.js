// Small behaviours shared by every page. No inline scripts anywhere: the Content-Security-Policy
// allows scripts from this site's static files only.
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});

// An answer can name boxes that left the page while it was on its way (a shot deleted, the
// shape switched before the save answered). Drop those out-of-band parts instead of letting
// htmx report "no target": the next answer describes the page as it is then.
document.addEventListener("htmx:beforeSwap", (event) => {
  const text = event.detail.serverResponse;
  if (typeof text !== "string" || text.indexOf("hx-swap-oob") === -1) return;
  const holder = document.createElement("template");
  holder.innerHTML = text;
  let dropped = false;
  holder.content.querySelectorAll("[hx-swap-oob]").forEach((part) => {
    if (part.id && !document.getElementById(part.id)) {
      part.remove();
      dropped = true;
    }
  });
  if (dropped) event.detail.serverResponse = holder.innerHTML;
});
