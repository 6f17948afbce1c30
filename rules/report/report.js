// report.html's only script: zoom and pan the map, zoom to a finding from
// the table, filter the table and the map. It loads nothing.
(function () {
  "use strict";
  var svg = document.getElementById("map");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.findings tbody tr"));
  var base = null, vb = null;
  // Radii, in screen pixels, of the circles that keep their size when
  // zooming: context points, finding points, markers of tiny patches.
  var radius = { pt: 1.5, fp: 4, mk: 3 };
  var circles = svg ? svg.querySelectorAll("circle.pt, circle.fp, circle.mk") : [];

  function apply() {
    svg.setAttribute("viewBox", vb.join(" "));
    var k = vb[2] / (svg.getBoundingClientRect().width || base[2]);
    for (var i = 0; i < circles.length; i++) {
      circles[i].setAttribute("r", radius[circles[i].getAttribute("class")] * k);
    }
  }
  function fit(cx, cy, w) {
    w = Math.max(Math.min(w, base[2]), base[2] / 1000);
    if (w >= base[2]) {
      vb = base.slice();
    } else {
      var h = w * base[3] / base[2];
      vb = [cx - w / 2, cy - h / 2, w, h];
    }
    apply();
  }
  function zoomAt(f, cx, cy) {
    var w = vb[2] / f;
    if (w >= base[2]) { vb = base.slice(); apply(); return; }
    if (w < base[2] / 1000) { return; }
    vb = [cx - (cx - vb[0]) / f, cy - (cy - vb[1]) / f, w, vb[3] / f];
    apply();
  }
  function toMap(e) {
    var r = svg.getBoundingClientRect();
    return [vb[0] + (e.clientX - r.left) / r.width * vb[2], vb[1] + (e.clientY - r.top) / r.height * vb[3]];
  }
  var selected = [];
  function select(n) {
    selected.forEach(function (el) { el.classList.remove("sel"); });
    selected = [document.getElementById("f-" + n), document.getElementById("r-" + n)].filter(Boolean);
    selected.forEach(function (el) { el.classList.add("sel"); });
  }
  function show(n) {
    var el = document.getElementById("f-" + n);
    if (!svg || !el) { return false; }
    var b = el.getBBox();
    var w = Math.max(b.width * 4, b.height * 4 * base[2] / base[3], base[2] / 200);
    fit(b.x + b.width / 2, b.y + b.height / 2, w);
    select(n);
    svg.scrollIntoView({ block: "center" });
    return true;
  }

  if (svg) {
    base = svg.getAttribute("viewBox").split(" ").map(Number);
    vb = base.slice();
    var ctl = svg.parentNode.querySelector("div.mapctl");
    ctl.hidden = false;
    ctl.addEventListener("click", function (e) {
      var z = e.target.getAttribute("data-zoom");
      if (z === "reset") { vb = base.slice(); apply(); }
      if (z === "in" || z === "out") { zoomAt(z === "in" ? 2 : 0.5, vb[0] + vb[2] / 2, vb[1] + vb[3] / 2); }
    });
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = toMap(e);
      zoomAt(e.deltaY < 0 ? 1.25 : 0.8, p[0], p[1]);
    }, { passive: false });
    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (e) {
      drag = [e.clientX, e.clientY, vb[0], vb[1], e.pointerId];
      moved = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      if (!moved && Math.abs(e.clientX - drag[0]) + Math.abs(e.clientY - drag[1]) < 4) { return; }
      if (!moved) { moved = true; svg.setPointerCapture(drag[4]); svg.style.cursor = "grabbing"; }
      var r = svg.getBoundingClientRect();
      vb[0] = drag[2] - (e.clientX - drag[0]) / r.width * vb[2];
      vb[1] = drag[3] - (e.clientY - drag[1]) / r.height * vb[3];
      apply();
    });
    var end = function () { drag = null; svg.style.cursor = ""; };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("click", function (e) {
      if (moved) { e.preventDefault(); e.stopPropagation(); moved = false; return; }
      var cell = e.target.closest ? e.target.closest("rect.cell") : null;
      if (cell) {
        var x = Number(cell.getAttribute("x")), y = Number(cell.getAttribute("y")), s = Number(cell.getAttribute("width"));
        fit(x + s / 2, y + s / 2, Math.min(vb[2], base[2]) / 4);
      }
      var a = e.target.closest ? e.target.closest("a.patch") : null;
      if (a) { select(a.id.slice(2)); }
    }, true);
    window.addEventListener("resize", apply);
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href^='#f-']") : null;
    if (a && show(a.getAttribute("href").slice(3))) {
      e.preventDefault();
    }
  });

  var filters = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var shown = document.getElementById("shown");
  function filter() {
    var n = 0;
    rows.forEach(function (tr) {
      var ok = filters.every(function (s) { return !s.value || tr.getAttribute("data-" + s.getAttribute("data-filter")) === s.value; });
      tr.hidden = !ok;
      if (ok) { n++; }
      var p = document.getElementById("f-" + tr.getAttribute("data-n"));
      if (p) { p.style.display = ok ? "" : "none"; }
    });
    if (shown) { shown.textContent = n + " of " + rows.length + " rows shown"; }
  }
  if (filters.length) {
    filters[0].parentNode.parentNode.hidden = false;
    filters.forEach(function (s) { s.addEventListener("change", filter); });
    filter();
  }
})();
