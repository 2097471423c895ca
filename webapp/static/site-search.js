// The paper list of the static site (`clatlas site`): filters, facet counts, search and paging in the browser.
// It reads the query parameters the server's /papers reads (family=LLM&q=lora&page=2 …) with the same meaning:
// the four taxonomy axes constrain one and the same placement, values OR within a field and AND across fields,
// every facet is counted with all filters but its own, every search word also matches as a prefix.
// The data come from search-index.json, written next to the pages. Loaded only on the static site's list page.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root");
  var layout = document.querySelector(".list-layout");
  if (root === null || !layout || !window.fetch || !window.URLSearchParams) return;

  var AXES = ["setting", "increment", "family", "technique"];
  var LIST = AXES.concat(["venue", "kind", "dataset"]);
  var FLAGS = ["in_survey", "has_code", "has_reproduction"];
  var FLAG_LABELS = { in_survey: ["in the survey", "beyond the survey"], has_code: ["yes", "no"], has_reproduction: ["yes", "no"] };
  var TRUE = ["1", "true", "yes", "on", "t", "y"], FALSE = ["0", "false", "no", "off", "f", "n"];
  var SORTS = ["-year", "year", "title", "-title", "relevance"];
  var WEIGHTS = { title: 10, acronym: 10, aliases: 6, ids: 8, authors: 3, summary: 1 };
  var DEFAULT_PER_PAGE = 25, MAX_PER_PAGE = 200;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function words(text) { return String(text || "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean); }
  function posInt(v, dflt, max) { var n = parseInt(v, 10); return n >= 1 ? Math.min(n, max || n) : dflt; }
  function yearOf(v) { var n = parseInt(v, 10); return isNaN(n) ? null : n; }

  // ------------------------------------------------------------------ state from the URL, and back
  function parse(params) {
    var f = { q: (params.get("q") || "").trim(), sort: params.get("sort") || "" };
    LIST.forEach(function (n) { f[n] = params.getAll(n).filter(function (v) { return v !== ""; }); });
    f.year_min = yearOf(params.get("year_min"));
    f.year_max = yearOf(params.get("year_max"));
    FLAGS.forEach(function (n) {
      var v = (params.get(n) || "").toLowerCase();
      f[n] = TRUE.indexOf(v) >= 0 ? true : (FALSE.indexOf(v) >= 0 ? false : null);
    });
    if (SORTS.indexOf(f.sort) < 0) f.sort = "";
    f.page = posInt(params.get("page"), 1);
    f.per_page = posInt(params.get("per_page"), DEFAULT_PER_PAGE, MAX_PER_PAGE);
    f.terms = f.q.split(/\s+/).map(words).filter(function (t) { return t.length; }).slice(0, 32);
    return f;
  }

  function query(f, changes) {
    var s = Object.assign({}, f, changes || {});
    if (!changes || !("page" in changes)) s.page = 1;
    var p = new URLSearchParams();
    LIST.forEach(function (n) { s[n].forEach(function (v) { p.append(n, v); }); });
    if (s.year_min !== null) p.append("year_min", s.year_min);
    if (s.year_max !== null) p.append("year_max", s.year_max);
    FLAGS.forEach(function (n) { if (s[n] !== null) p.append(n, s[n] ? "1" : "0"); });
    if (s.q) p.append("q", s.q);
    if (s.sort) p.append("sort", s.sort);
    if (s.page !== 1) p.append("page", s.page);
    if (s.per_page !== DEFAULT_PER_PAGE) p.append("per_page", s.per_page);
    var qs = p.toString();
    return qs ? "?" + qs : "./";
  }
  function toggled(f, name, value) {
    var list = f[name].indexOf(value) >= 0 ? f[name].filter(function (v) { return v !== value; }) : f[name].concat([value]);
    var c = {}; c[name] = list; return query(f, c);
  }

  // ------------------------------------------------------------------ matching
  function hasPhrase(tokens, phrase) {
    var last = phrase.length - 1;
    for (var i = 0; i + last < tokens.length; i++) {
      var ok = true;
      for (var j = 0; j < last && ok; j++) ok = tokens[i + j] === phrase[j];
      if (!ok) continue;
      var w = tokens[i + last], p = phrase[last];
      if (p.length >= 2 ? w.indexOf(p) === 0 : w === p) return true;
    }
    return false;
  }
  function score(paper, terms) {  // 0: some word matches no field (words are ANDed)
    var total = 0;
    for (var t = 0; t < terms.length; t++) {
      var best = 0;
      for (var field in WEIGHTS) if (hasPhrase(paper.tokens[field], terms[t])) best += WEIGHTS[field];
      if (!best) return 0;
      total += best;
    }
    return total;
  }
  function placementsOk(paper, f, skipAxis) {  // placements satisfying every selected axis but skipAxis
    var sel = AXES.filter(function (a) { return a !== skipAxis && f[a].length; });
    return paper.placements.filter(function (pl) {
      return sel.every(function (a) { return f[a].indexOf(pl[AXES.indexOf(a)]) >= 0; });
    });
  }
  function matches(paper, f, skip) {
    if (AXES.indexOf(skip) < 0 && AXES.some(function (a) { return f[a].length; }) && !placementsOk(paper, f, null).length) return false;
    if (skip !== "venue" && f.venue.length && f.venue.indexOf(paper.venue) < 0) return false;
    if (skip !== "kind" && f.kind.length && f.kind.indexOf(paper.kind) < 0) return false;
    if (skip !== "dataset" && f.dataset.length && !paper.datasets.some(function (d) { return f.dataset.indexOf(d) >= 0; })) return false;
    if (skip !== "year" && ((f.year_min !== null && paper.year < f.year_min) || (f.year_max !== null && paper.year > f.year_max))) return false;
    for (var i = 0; i < FLAGS.length; i++) {
      var n = FLAGS[i];
      if (skip !== n && f[n] !== null && paper.flags[n] !== f[n]) return false;
    }
    return !f.terms.length || paper.score > 0;
  }

  // ------------------------------------------------------------------ rendering
  function marked(text, f) {
    if (!f.terms.length || !text) return esc(text);
    var parts = [];
    f.terms.forEach(function (t) { t.forEach(function (w) { parts.push(w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")); }); });
    var re = new RegExp("(" + parts.join("|") + ")", "giu");
    return String(text).split(re).map(function (piece, i) { return i % 2 ? "<mark>" + esc(piece) + "</mark>" : esc(piece); }).join("");
  }
  function badge(v) {
    return v && v.extension ? '<span class="badge ext" title="Added by CL Atlas beyond the survey\'s taxonomy' +
      (v.rationale ? ": " + esc(v.rationale) : "") + '">extension</span>' : "";
  }
  function crumbs(pl, axes) {
    var path = {}, out = [];
    AXES.forEach(function (a, i) {
      path[a] = pl[i];
      var p = new URLSearchParams(path);
      out.push('<a href="?' + esc(p.toString()) + '">' + esc(pl[i]) + "</a>");
    });
    return '<span class="crumbs">' + out.join(" › ") + badge(axes.technique.byValue[pl[3]]) +
      (pl[4] ? ' <span class="approach">(' + esc(pl[4]) + ")</span>" : "") + "</span>";
  }
  function venueYear(p) {
    var venue = (p.venue || "").trim(), year = String(p.year || "");
    return !venue ? year : (year && venue.indexOf(year) >= 0 ? venue : venue + " " + year);
  }
  function item(p, f, axes) {
    return '<li class="paper-item"><a class="paper-title" href="' + esc(root + "papers/" + p.key + "/") + '">' + marked(p.title, f) + "</a>" +
      (p.acronym ? ' <span class="acronym">' + marked(p.acronym, f) + "</span>" : "") +
      (p.in_survey ? "" : ' <span class="badge new" title="Not in the survey\'s lists: added by CL Atlas">beyond the survey</span>') +
      '<div class="meta">' + marked(p.authors.join(", "), f) + " · " + esc(venueYear(p)) + (p.first_public ? " · first public " + esc(p.first_public) : "") +
      (p.code_url ? ' · <a href="' + esc(p.code_url) + '" rel="noopener nofollow">code</a>' : "") +
      (p.has_reproduction ? ' · <span class="badge">reproduced</span>' : "") + "</div>" +
      '<div class="placements">' + p.placements.map(function (pl) { return crumbs(pl, axes); }).join("") + "</div></li>";
  }
  function facetItem(href, label, count, selected, extra) {
    var cls = (selected ? "selected" : "") + (!count && !selected ? " empty" : "");
    var body = count || selected ? '<a href="' + esc(href) + '">' + (selected ? "✓ " : "") + label + (extra || "") + "</a>" : "<span>" + label + (extra || "") + "</span>";
    return '<li class="' + cls.trim() + '">' + body + ' <span class="count">' + count + "</span></li>";
  }
  function setFacet(name, html) {
    var ul = layout.querySelector('[data-facet="' + name + '"] ul');
    if (ul) ul.innerHTML = html;
  }

  function render(index, f) {
    var papers = index.papers, axes = index.axes;
    papers.forEach(function (p) { p.score = f.terms.length ? score(p, f.terms) : 0; });
    var hits = papers.filter(function (p) { return matches(p, f, null); });
    var sort = f.sort === "relevance" || f.sort === "" ? (f.terms.length ? "relevance" : "-year") : f.sort;
    var byTitle = function (a, b) { return a.title.toLowerCase().localeCompare(b.title.toLowerCase()); };
    hits.sort({
      "relevance": function (a, b) { return b.score - a.score || b.year - a.year; },
      "-year": function (a, b) { return b.year - a.year || byTitle(a, b); },
      "year": function (a, b) { return a.year - b.year || byTitle(a, b); },
      "title": function (a, b) { return byTitle(a, b) || b.year - a.year; },
      "-title": function (a, b) { return byTitle(b, a) || b.year - a.year; }
    }[sort]);

    // facets: each counted with every filter but its own
    AXES.forEach(function (axis) {
      var counts = {};
      papers.forEach(function (p) {
        if (!matches(p, f, axis)) return;
        var seen = {};
        placementsOk(p, f, axis).forEach(function (pl) { seen[pl[AXES.indexOf(axis)]] = 1; });
        Object.keys(seen).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      setFacet(axis, axes[axis].map(function (v) {
        return facetItem(toggled(f, axis, v.value), esc(v.value), counts[v.value] || 0, f[axis].indexOf(v.value) >= 0, badge(v));
      }).join(""));
    });
    FLAGS.forEach(function (n) {
      var yes = 0, no = 0;
      papers.forEach(function (p) { if (matches(p, f, n)) { if (p.flags[n]) yes++; else no++; } });
      setFacet(n, [[true, yes], [false, no]].map(function (x) {
        var c = {}; c[n] = f[n] === x[0] ? null : x[0];
        return facetItem(query(f, c), FLAG_LABELS[n][x[0] ? 0 : 1], x[1], f[n] === x[0]);
      }).join(""));
    });
    var tally = function (name, key) {
      var counts = {};
      papers.forEach(function (p) { if (matches(p, f, name)) counts[key(p)] = (counts[key(p)] || 0) + 1; });
      return counts;
    };
    var years = tally("year", function (p) { return p.year; });
    setFacet("year", Object.keys(years).map(Number).sort(function (a, b) { return b - a; }).map(function (y) {
      var sel = f.year_min === y && f.year_max === y;
      return facetItem(query(f, sel ? { year_min: null, year_max: null } : { year_min: y, year_max: y }), String(y), years[y], sel);
    }).join(""));
    var kinds = tally("kind", function (p) { return p.kind; });
    setFacet("kind", Object.keys(kinds).sort().map(function (k) { return facetItem(toggled(f, "kind", k), esc(k), kinds[k], f.kind.indexOf(k) >= 0); }).join(""));
    var venues = tally("venue", function (p) { return p.venue; });
    setFacet("venue", Object.keys(venues).sort(function (a, b) { return venues[b] - venues[a] || (a < b ? -1 : 1); }).map(function (v) {
      return facetItem(toggled(f, "venue", v), esc(v), venues[v], f.venue.indexOf(v) >= 0);
    }).join(""));

    // results: filters, notices, the page of papers, the pager
    var pages = Math.max(1, Math.ceil(hits.length / f.per_page));
    var shown = hits.slice((f.page - 1) * f.per_page, f.page * f.per_page);
    var chips = [];
    LIST.forEach(function (n) { f[n].forEach(function (v) { chips.push('<a class="chip" href="' + esc(toggled(f, n, v)) + '" title="remove">' + n + ": " + esc(v) + " ✕</a>"); }); });
    if (f.year_min !== null) chips.push('<a class="chip" href="' + esc(query(f, { year_min: null })) + '">from ' + f.year_min + " ✕</a>");
    if (f.year_max !== null) chips.push('<a class="chip" href="' + esc(query(f, { year_max: null })) + '">to ' + f.year_max + " ✕</a>");
    FLAGS.forEach(function (n) {
      if (f[n] !== null) { var c = {}; c[n] = null; chips.push('<a class="chip" href="' + esc(query(f, c)) + '">' + n.replace("_", " ") + ": " + (f[n] ? "yes" : "no") + " ✕</a>"); }
    });
    if (f.q) chips.push('<a class="chip" href="' + esc(query(f, { q: "", terms: [] })) + '">search: ' + esc(f.q) + " ✕</a>");
    var notices = [];
    if (f.year_min !== null && f.year_max !== null && f.year_min > f.year_max) notices.push("year_min (" + f.year_min + ") is after year_max (" + f.year_max + "), so no year is in the range");
    var html = (chips.length ? '<p class="active-filters">Filters: ' + chips.join(" ") + "</p>" : "") +
      notices.map(function (n) { return '<p class="notice" role="status">No paper can match: ' + esc(n) + ".</p>"; }).join("") +
      (f.q && !f.terms.length ? '<p class="notice" role="status">The search “' + esc(f.q) + "” has no word to search for (letters or digits), so it does not narrow the list.</p>" : "") +
      '<p class="exports">Export all papers (a static copy cannot filter exports): <a href="' + esc(root + "export/papers.bib") + '">BibTeX</a> · <a href="' +
      esc(root + "export/papers.csv") + '">CSV</a> · <a href="' + esc(root + "export/papers.json") + '">JSON</a> · <a href="' + esc(root + "api/papers.json") + '">API</a></p>' +
      (shown.length ? '<ol class="paper-list" start="' + ((f.page - 1) * f.per_page + 1) + '">' + shown.map(function (p) { return item(p, f, axes); }).join("") + "</ol>"
        : '<p class="empty-state">No papers match these filters.' + (chips.length ? ' <a href="./">Clear all filters</a>.' : "") + "</p>") +
      (pages > 1 ? '<nav class="pager" aria-label="Pages">' + (f.page > 1 ? '<a rel="prev" href="' + esc(query(f, { page: f.page - 1 })) + '">← previous</a>' : "") +
        "<span>page " + f.page + " of " + pages + "</span>" + (f.page < pages ? '<a rel="next" href="' + esc(query(f, { page: f.page + 1 })) + '">next →</a>' : "") + "</nav>" : "");
    layout.querySelector("section.results").innerHTML = html;
    var count = document.querySelector("h1 .muted");
    if (count) count.textContent = "(" + hits.length + ")";

    // the filter form carries the current state, so a new search keeps the facets
    var form = layout.querySelector("form.facet-form");
    if (form) {
      form.querySelectorAll('input[type="hidden"]').forEach(function (el) { el.remove(); });
      var keep = [];
      LIST.forEach(function (n) { f[n].forEach(function (v) { keep.push([n, v]); }); });
      FLAGS.forEach(function (n) { if (f[n] !== null) keep.push([n, f[n] ? "1" : "0"]); });
      if (f.per_page !== DEFAULT_PER_PAGE) keep.push(["per_page", f.per_page]);
      keep.forEach(function (kv) {
        var el = document.createElement("input");
        el.type = "hidden"; el.name = kv[0]; el.value = kv[1];
        form.appendChild(el);
      });
      form.querySelectorAll('input[name="q"]').forEach(function (el) { el.value = f.q; });
      var ymin = form.querySelector('input[name="year_min"]'), ymax = form.querySelector('input[name="year_max"]'), sort = form.querySelector('select[name="sort"]');
      if (ymin) ymin.value = f.year_min === null ? "" : f.year_min;
      if (ymax) ymax.value = f.year_max === null ? "" : f.year_max;
      if (sort) sort.value = f.sort;
    }
    document.querySelectorAll('header .search input[name="q"]').forEach(function (el) { el.value = f.q; });
    document.documentElement.setAttribute("data-search-ready", hits.length);
  }

  function prepare(index) {
    index.axes.technique.byValue = {};
    index.axes.technique.forEach(function (v) { index.axes.technique.byValue[v.value] = v; });
    index.papers.forEach(function (p) {
      p.flags = { in_survey: p.in_survey, has_code: !!p.code_url, has_reproduction: p.has_reproduction };
      p.tokens = { title: words(p.title), acronym: words(p.acronym), authors: words(p.authors.join(" ")), aliases: words(p.aliases.join(" ")),
                   ids: words(p.ids.join(" ")), summary: words(p.summary) };
    });
    return index;
  }

  fetch(root + "search-index.json").then(function (r) { return r.json(); }).then(function (index) {
    render(prepare(index), parse(new URLSearchParams(window.location.search)));
  }).catch(function () { /* the server-rendered list stays */ });
})();
