// Element name and description limits, said while typing instead of cut. A field with
// data-max-chars="N" and data-field-label="Name" counts as the server does (spaces collapsed,
// characters as Unicode code points, like the vendor's JSON Schema maxLength) and, when over,
// shows "Name: at most N characters (this one has M)." and holds the form back. The server
// refuses the same way without this script.
(function () {
  "use strict";

  function characters(text) {
    const collapsed = text.split(/\s+/).filter(Boolean).join(" ");
    return Array.from(collapsed).length;
  }

  function check(field) {
    const limit = Number(field.dataset.maxChars);
    const count = characters(field.value);
    const message = count > limit
      ? `${field.dataset.fieldLabel}: at most ${limit} characters (this one has ${count}).`
      : "";
    field.setCustomValidity(message);
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    const warning = document.querySelector(`[data-limit-warning-for="${field.id}"]`);
    if (warning) warning.textContent = message;
  }

  const fields = document.querySelectorAll("[data-max-chars]");
  fields.forEach((field) => {
    field.addEventListener("input", () => check(field));
    check(field);
  });
})();
