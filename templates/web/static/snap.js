// Upload with a progress bar. Without this script the form posts as it is and still works.
(function () {
  "use strict";
  var form = document.getElementById("snap-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  document.documentElement.classList.add("js");
  var input = document.getElementById("photo");
  var name = document.getElementById("photo-name");
  var bar = document.getElementById("snap-bar");
  var box = document.getElementById("snap-progress");
  var status = document.getElementById("snap-status");
  var error = document.getElementById("snap-error");
  var button = document.getElementById("snap-submit");
  var token = form.querySelector("input[name=csrf_token]").value;
  input.required = false;  // it is hidden behind its label: say it ourselves

  function fail(message) {
    error.textContent = message.charAt(0).toUpperCase() + message.slice(1);
    error.hidden = false;
    box.hidden = true;
    button.disabled = false;
  }

  input.addEventListener("change", function () {
    if (input.files.length) name.textContent = input.files[0].name;
    error.hidden = true;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!input.files.length) {
      fail("Take or choose a photo first.");
      return;
    }
    var data = new FormData();
    data.append("photo", input.files[0]);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/boards");
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(100 * e.loaded / e.total);
      bar.value = pct;
      status.textContent = pct < 100 ? "Uploading… " + pct + "%" : "Reading the board…";
    });
    xhr.addEventListener("load", function () {
      var body = xhr.response || {};
      if (xhr.status === 201 && body.check_url) {
        status.textContent = "Read. Opening the check page…";
        window.location.assign(body.check_url);
      } else if (xhr.status === 401) {
        window.location.assign("/login?next=/");
      } else {
        fail(body.detail || "The upload failed (" + xhr.status + "); try again.");
      }
    });
    xhr.addEventListener("error", function () {
      fail("The upload did not reach the server; check the Wi-Fi and try again.");
    });
    error.hidden = true;
    box.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    button.disabled = true;
    xhr.send(data);
  });
})();
