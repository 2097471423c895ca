// Progressive enhancement only: pages work without this file.
// - renders plotly figures whose JSON sits in <script type="application/json"> blocks
// - shows a copy button for BibTeX
// - opens the filters <details> on wide screens (CSS does it too where ::details-content is supported)
(function () {
  "use strict";

  // A root-relative URL ("/papers?x=1") as this page can follow it: unchanged on the live app; on the
  // static site (<html data-root="../">, any sub-path) relative to the site's root, pages as directories.
  function siteUrl(url) {
    var root = document.documentElement.getAttribute("data-root");
    if (!root || !url || url.charAt(0) !== "/") return url;
    var q = url.indexOf("?");
    var path = q < 0 ? url : url.slice(0, q);
    var query = q < 0 ? "" : url.slice(q);
    return root + (path === "/" ? "" : path.slice(1) + "/") + query;
  }

  function renderCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-figure"));
      if (!src) return;
      var fig;
      try { fig = JSON.parse(src.textContent); } catch (e) { return; }
      window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
      if (el.hasAttribute("data-click-url")) {
        // double-click (two clicks on the same node within 400 ms) opens the node's paper list
        var last = { id: null, t: 0 };
        el.on("plotly_sunburstclick", function (ev) {
          var pt = ev.points && ev.points[0];
          if (!pt) return;
          var now = Date.now();
          var url = siteUrl(Array.isArray(pt.customdata) ? pt.customdata[0] : pt.customdata);  // [list URL, distinct papers]
          if (last.id === pt.id && now - last.t < 400 && url) { window.location.href = url; }
          last = { id: pt.id, t: now };
        });
      }
    });
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy-target]").forEach(function (btn) {
      var target = document.getElementById(btn.getAttribute("data-copy-target"));
      if (!target || !navigator.clipboard) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent).then(function () {
          btn.textContent = "Copied";
          setTimeout(function () { btn.textContent = "Copy"; }, 1500);
        });
      });
    });
  }

  function openFiltersOnWideScreens() {
    if (!window.matchMedia || !window.matchMedia("(min-width: 801px)").matches) return;
    document.querySelectorAll("details.filters").forEach(function (d) { d.open = true; });
  }

  function start() { copyButtons(); renderCharts(); }
  openFiltersOnWideScreens();
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
})();
