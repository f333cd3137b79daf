// Sort by a column (click its heading) and filter by outcome and text. Rows arrive in a
// useful order from the server, so the page reads the same without this script.
(function () {
  "use strict";
  var table = document.getElementById("photos");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = table.tHead.rows[0].cells;

  function key(row, i, type) {
    var cell = row.cells[i];
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (type === "num") { var x = parseFloat(v); return isNaN(x) ? -Infinity : x; }
    return v.toLowerCase();
  }

  Array.prototype.forEach.call(heads, function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var type = th.getAttribute("data-type");
      var now = th.getAttribute("aria-sort");
      var down = now ? now === "ascending" : type === "num";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      var sorted = rows.slice().sort(function (a, b) {
        var ka = key(a, i, type), kb = key(b, i, type);
        return (ka < kb ? -1 : ka > kb ? 1 : 0) * (down ? -1 : 1);
      });
      sorted.forEach(function (r) { body.appendChild(r); });
    });
  });

  var status = document.getElementById("f-status");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
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
  status.addEventListener("change", filter);
  text.addEventListener("input", filter);
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  filter();
})();
