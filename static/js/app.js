// Small behaviours shared by every page. No inline scripts anywhere: the Content-Security-Policy
// allows scripts from this site's static files only.
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});
