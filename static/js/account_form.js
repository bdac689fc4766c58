// Show only the credential fields the chosen service uses; the others stay in the page (and
// are ignored by the server) so the form still works without this script.
(function () {
  const uses = {
    useapi: ["token", "email", "vip"],
    kling: ["access_key", "secret_key"],
    cometapi: ["api_key"],
    apimart: ["api_key"],
  };
  const all = ["token", "email", "access_key", "secret_key", "api_key", "vip"];
  const select = document.getElementById("id_dialect");
  if (!select) return;
  function update() {
    const wanted = uses[select.value] || all;
    for (const name of all) {
      const input = document.getElementById("id_" + name);
      if (input) input.closest(".field").hidden = !wanted.includes(name);
    }
  }
  select.addEventListener("change", update);
  update();
})();
