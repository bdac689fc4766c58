// The sequence strip: drag a storyboard to reorder (the vendored Sortable, like the editor's
// shots); on drop the full new order is posted (the server refuses anything but a permutation).
// The "Move earlier/later" buttons are plain forms and work without this script.
(function () {
  "use strict";
  function start() {
    var strip = document.querySelector("[data-sortable]");
    var form = document.querySelector("[data-order-form]");
    if (!strip || !form || typeof window.Sortable === "undefined") return;
    window.Sortable.create(strip, {
      handle: ".drag-handle",
      animation: 120,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var ids = Array.prototype.map.call(strip.querySelectorAll("[data-board]"), function (li) {
          return li.getAttribute("data-board");
        });
        form.querySelector("[data-order-input]").value = ids.join(",");
        form.submit();
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
