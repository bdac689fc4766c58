// Library uploads: one request per file so each gets its own progress bar; the server answers
// with the result as an HTML fragment. Without JavaScript the form posts all files at once.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  function refreshItems() {
    if (window.htmx && document.getElementById("library-items")) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search,
                       { target: "#library-items", swap: "outerHTML" });
    }
  }

  function row(file) {
    var li = document.createElement("li");
    li.className = "upload-result";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    li.append(name, bar);
    return li;
  }

  function uploadOne(form, file, list) {
    return new Promise(function (resolve) {
      var li = row(file);
      list.append(li);
      var bar = li.querySelector("progress");
      var data = new FormData();
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) bar.value = Math.round(100 * event.loaded / event.total);
      });
      xhr.addEventListener("load", function () {
        var holder = document.createElement("ul");
        holder.innerHTML = xhr.responseText;
        var result = holder.querySelector("li");
        if (result && (xhr.status === 200 || xhr.status === 400)) {
          li.replaceWith(result);
        } else {
          li.classList.add("refused");
          li.setAttribute("role", "alert");
          // The server's own refusal (a limit, with its number) when it sent one as text.
          var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
          bar.replaceWith(document.createTextNode(plain && xhr.responseText
            ? "Not uploaded: " + xhr.responseText
            : "Upload failed (HTTP " + xhr.status + ")."));
        }
        resolve(xhr.status === 200);
      });
      xhr.addEventListener("error", function () {
        li.classList.add("refused");
        li.setAttribute("role", "alert");
        bar.replaceWith(document.createTextNode("Upload failed: the connection was lost."));
        resolve(false);
      });
      xhr.send(data);
    });
  }

  function uploadAll(form, files) {
    var list = document.getElementById("upload-list");
    var jobs = Array.prototype.map.call(files, function (f) { return uploadOne(form, f, list); });
    Promise.all(jobs).then(function (ok) {
      if (ok.some(Boolean)) refreshItems();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var input = document.getElementById("upload-input");
    var zone = document.getElementById("dropzone");

    input.addEventListener("change", function () {
      if (input.files.length) {
        uploadAll(form, input.files);
        input.value = "";
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) {
        uploadAll(form, input.files);
        input.value = "";
      }
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        uploadAll(form, event.dataTransfer.files);
      }
    });
  });
})();
