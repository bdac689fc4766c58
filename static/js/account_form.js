// Show only the fields the chosen service uses. Each such field's input names the services in
// its data-dialects attribute (the server builds it from the vendor packages); the others stay
// in the page, hidden, and the server ignores them, so the form still works without this script.
(function () {
  const select = document.getElementById("id_dialect");
  if (!select) return;
  const inputs = Array.from(document.querySelectorAll("#account-form [data-dialects]"));
  function update() {
    for (const input of inputs) {
      const users = input.dataset.dialects.split(" ");
      const box = input.closest(".field");
      if (box) box.hidden = !users.includes(select.value);
    }
  }
  select.addEventListener("change", update);
  update();
})();
