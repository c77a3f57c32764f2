// cpi report: table filtering and sorting, and a health check that marks charts that failed to load.
(function () {
  "use strict";
  var root = document.documentElement;

  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    errors.push(t && t.tagName ? t.tagName.toLowerCase() + " " + (t.getAttribute("src") || "") : String(e.message));
    root.setAttribute("data-errors", errors.join(" | "));
  }, true);

  function filterTable(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var counter = document.getElementById(input.getAttribute("data-count"));
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var text = rows[i].getAttribute("data-text") || rows[i].textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      rows[i].hidden = !ok;
      if (ok) shown++;
    }
    if (counter) counter.textContent = shown + " of " + rows.length + " shown";
  }

  function sortBy(table, col, th) {
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    function key(r) {
      var c = r.cells[col], v = c.getAttribute("data-v");
      if (v === null) v = c.textContent.trim();
      var n = parseFloat(v);
      return isNaN(n) ? v.toLowerCase() : n;
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      return x < y ? -dir : x > y ? dir : 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // index.html?q=words pre-fills the search boxes (a shareable filtered view).
    var q = new URLSearchParams(window.location.search).get("q");
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      if (q) input.value = q;
      input.addEventListener("input", function () { filterTable(input); });
      filterTable(input);
    });
    document.querySelectorAll("table.sortable").forEach(function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
        th.addEventListener("click", function () { sortBy(table, i, th); });
      });
    });
  });

  window.addEventListener("load", function () {
    var imgs = document.images, ok = 0, broken = [];
    for (var i = 0; i < imgs.length; i++) {
      if (imgs[i].complete && imgs[i].naturalWidth > 0) {
        ok++;
      } else {
        broken.push(imgs[i].getAttribute("src"));
        imgs[i].classList.add("broken");
        imgs[i].alt = "Chart failed to load: " + imgs[i].getAttribute("src");
      }
    }
    root.setAttribute("data-images-total", String(imgs.length));
    root.setAttribute("data-images-ok", String(ok));
    root.setAttribute("data-images-broken", broken.join(" "));
    if (broken.length) {
      var n = document.createElement("p");
      n.className = "notice";
      n.textContent = broken.length + " chart(s) failed to load. Keep index.html next to its charts/ directory.";
      document.querySelector("main").prepend(n);
    }
    root.setAttribute("data-report-ready", "1");
  });
})();
