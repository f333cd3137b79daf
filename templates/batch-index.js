// Sort by a column (click its heading) and filter by outcome and text. Rows arrive in a
// useful order from the server, so the page reads the same without this script. The state
// lives in the address (#show=failed&q=checkout&sort=-6: column 6, descending), so a filtered
// view can be bookmarked or sent.
(function () {
  "use strict";
  var table = document.getElementById("photos");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = table.tHead.rows[0].cells;
  var status = document.getElementById("f-status");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var sorted = 0; // column number (1-based), negative when descending; 0: the server's order

  function key(row, i, type) {
    var cell = row.cells[i];
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (type === "num") { var x = parseFloat(v); return isNaN(x) ? -Infinity : x; }
    return v.toLowerCase();
  }

  function sortBy(column) {
    var i = Math.abs(column) - 1, th = heads[i];
    if (!th) { return; }
    var type = th.getAttribute("data-type"), down = column < 0;
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
    rows.slice().sort(function (a, b) {
      var ka = key(a, i, type), kb = key(b, i, type);
      return (ka < kb ? -1 : ka > kb ? 1 : 0) * (down ? -1 : 1);
    }).forEach(function (r) { body.appendChild(r); });
    sorted = column;
  }

  function filter() {
    var want = status.value, words = text.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var ok = (!want || (" " + r.getAttribute("data-status") + " ").indexOf(" " + want + " ") >= 0) &&
        (!words || r.textContent.toLowerCase().indexOf(words) >= 0);
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
  }

  function remember() {
    var parts = [];
    if (status.value) { parts.push("show=" + encodeURIComponent(status.value)); }
    if (text.value.trim()) { parts.push("q=" + encodeURIComponent(text.value.trim())); }
    if (sorted) { parts.push("sort=" + sorted); }
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname);
  }

  Array.prototype.forEach.call(heads, function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var now = th.getAttribute("aria-sort");
      var down = now ? now === "ascending" : th.getAttribute("data-type") === "num";
      sortBy(down ? -(i + 1) : i + 1);
      remember();
    });
  });

  location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
    var at = pair.indexOf("="), name = pair.slice(0, at), value;
    if (at < 1) { return; }
    value = decodeURIComponent(pair.slice(at + 1));
    if (name === "show") { status.value = value; }
    if (name === "q") { text.value = value; }
    if (name === "sort") { sortBy(parseInt(value, 10) || 0); }
  });
  status.addEventListener("change", function () { filter(); remember(); });
  text.addEventListener("input", function () { filter(); remember(); });
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  filter();
})();
