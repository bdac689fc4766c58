// A button with data-copy-from="ID" copies the value of the field with that id and says so in
// the element with data-copy-status="ID". Loaded as a static file: the CSP allows no inline script.
(function () {
  function say(id, text) {
    const status = document.querySelector(`[data-copy-status="${id}"]`);
    if (status) status.textContent = text;
  }

  // navigator.clipboard exists only in secure contexts (https or localhost); a studio served over
  // plain http on the local network still copies through the selection.
  function copyThroughSelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-copy-from]");
    if (!button) return;
    const id = button.dataset.copyFrom;
    const field = document.getElementById(id);
    if (!field) return;
    const failed = () => say(id, "Not copied: select the link and copy it by hand.");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(() => say(id, "Copied"), () => {
        if (copyThroughSelection(field)) say(id, "Copied");
        else failed();
      });
    } else if (copyThroughSelection(field)) {
      say(id, "Copied");
    } else {
      failed();
    }
  });
})();
