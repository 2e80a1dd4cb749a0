// gemba default theme: list filters and search. Pages work without it.
(function () {
  // Filters on list pages: show the form, hide cards that do not match.
  document.querySelectorAll("form.filters").forEach(function (form) {
    // The views the form filters: the cards, and a table view if any.
    var lists = form.dataset.filterFor.split(" ").map(function (id) { return document.getElementById(id); }).filter(Boolean);
    if (!lists.length) return;
    form.hidden = false;
    // A link can set the filters: `?status=running`, `?decision=stop`.
    var params = new URLSearchParams(location.search);
    var fromLink = {};
    ["status", "playbook", "owner", "team", "decision"].forEach(function (k) {
      var v = params.get(k);
      if (!v) return;
      if (form.elements[k]) form.elements[k].value = v; else fromLink[k] = v;
    });
    var apply = function () {
      var want = Object.assign({}, fromLink);
      ["status", "playbook", "owner", "team"].forEach(function (k) { want[k] = form.elements[k].value; });
      var shown = 0, total = 0;
      lists.forEach(function (list, n) {
        list.querySelectorAll(".card").forEach(function (card) {
          var ok = Object.keys(want).every(function (k) { return !want[k] || card.dataset[k] === want[k]; });
          card.hidden = !ok;
          if (n === 0) { total++; if (ok) shown++; }
        });
      });
      // A group's heading goes with its last shown card.
      lists.forEach(function (list) {
        list.querySelectorAll(".group-head").forEach(function (head) {
          var any = false;
          for (var el = head.nextElementSibling; el && !el.classList.contains("group-head"); el = el.nextElementSibling) {
            if (el.classList.contains("card") && !el.hidden) { any = true; break; }
          }
          head.hidden = !any;
        });
      });
      form.querySelector(".filter-count").textContent = shown + " of " + total + " shown";
    };
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    if (params.toString()) apply();
  });

  // The experiment log as cards or as a table; the choice is remembered.
  document.querySelectorAll(".view-switch").forEach(function (switcher) {
    var cards = document.getElementById("experiments"), table = document.getElementById("experiments-table");
    if (!cards || !table) return;
    switcher.hidden = false;
    // The choice is kept per width: a desktop's table does not follow the
    // reader onto a phone.
    var key = "gemba-log-view-" + (window.matchMedia("(max-width: 40rem)").matches ? "narrow" : "wide");
    var show = function (view) {
      cards.hidden = view === "table";
      table.hidden = view !== "table";
      switcher.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.view === view)); });
      try { localStorage.setItem(key, view); } catch (e) {}
    };
    switcher.addEventListener("click", function (e) { if (e.target.dataset.view) show(e.target.dataset.view); });
    var saved = null;
    try { saved = localStorage.getItem(key); } catch (e) {}
    if (saved === "table") show("table");
  });

  // Search page: Pagefind's own index, served from this site.
  var results = document.getElementById("search-results");
  if (!results) return;
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var pagefind = null;
  var load = function () {
    if (!pagefind) pagefind = import(results.dataset.pagefind).then(function (pf) {
      var base = { baseUrl: results.dataset.base };
      // A large site's index comes in several bundles; merge the others.
      var shards = (results.dataset.shards || "").split(" ").filter(Boolean);
      return Promise.resolve(pf.options && pf.options(base)).then(function () {
        return shards.reduce(function (done, path) {
          return done.then(function () { return pf.mergeIndex(path, base); });
        }, Promise.resolve());
      }).then(function () {
        if (pf.init) pf.init();
        return pf;
      });
    });
    return pagefind;
  };
  var esc = function (s) { var d = document.createElement("div"); d.textContent = s || ""; return d.innerHTML; };
  var counter = 0;
  var run = function (q) {
    var mine = ++counter;
    if (!q.trim()) { results.innerHTML = ""; status.textContent = ""; return; }
    status.textContent = "Searching…";
    load().then(function (pf) { return pf.search(q); }).then(function (search) {
      return Promise.all(search.results.slice(0, 30).map(function (r) { return r.data(); }));
    }).then(function (items) {
      if (mine !== counter) return;
      status.textContent = items.length ? items.length + (items.length === 1 ? " result" : " results") : "No results for “" + q + "”.";
      results.innerHTML = items.map(function (d) {
        var m = d.meta || {};
        var badge = m.status ? ' <span class="badge badge-' + esc(m.status) + '"><span class="badge-dot" aria-hidden="true"></span>' + esc(m.status) + "</span>" : "";
        return '<li><span class="kind">' + esc(m.kind) + '</span> <a href="' + esc(d.url) + '">' + esc(m.title) + "</a>" + badge + "<p>" + d.excerpt + "</p></li>";
      }).join("");
    }).catch(function (e) {
      // The index may still be building (gemba serve): try again on the next keystroke.
      pagefind = null;
      status.textContent = "Search is unavailable: " + e;
    });
  };
  var q = new URLSearchParams(location.search).get("q") || "";
  input.value = q;
  var header = document.getElementById("site-search");
  if (header) header.value = q;
  input.addEventListener("input", function () { run(input.value); });
  if (q) run(q);
})();
