/* The console's only script: a live preview of the guide being edited, anchor lists that follow
 * the chosen pages, and schedule times shown in the editor's own zone.
 *
 * As the person types, the form is posted (with its CSRF token) to the preview URL in
 * data-live-preview; the server answers with the preview rendered and sanitized in every
 * locale, which replaces #live-preview. Served by the console itself, no inline script, so
 * it runs under a strict CSP (script-src 'self'). Without it the Preview button does the
 * same with a whole page.
 */
(function () {
  "use strict";
  // each enhancement on its own: one failing (an old browser) must not take the others down
  [placing, localTimes].forEach(function (enhance) {
    try { enhance(); } catch (error) { if (window.console) console.warn("console.js:", error); }
  });
  var form = document.querySelector("form[data-live-preview]");
  var target = document.getElementById("live-preview");
  if (!form || !target || !window.fetch || !window.FormData || !window.DOMParser) return;
  var url = form.getAttribute("data-live-preview");
  var timer = 0;
  var sent = 0; // the newest request; an older answer arriving late is dropped
  var status = document.createElement("p");
  status.className = "live-status";
  status.setAttribute("role", "status");
  target.parentNode.insertBefore(status, target);

  function refresh() {
    var body = new FormData(form);
    body.set("fragment", "1");
    var mine = ++sent;
    target.setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status !== 200 && response.status !== 422) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (mine !== sent) return;
        // The answer is server-rendered and sanitized; parsed inertly, then moved in.
        var doc = new DOMParser().parseFromString(html, "text/html");
        target.replaceChildren.apply(target, Array.prototype.slice.call(doc.body.childNodes));
        target.removeAttribute("aria-busy");
        status.textContent = "";
      })
      .catch(function () {
        if (mine !== sent) return;
        target.removeAttribute("aria-busy");
        status.textContent = "The live preview is unavailable (reload the page?); the Preview button still works.";
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);

  /* Each anchor list (datalist[data-pages-from]) offers the anchors of the pages typed in its
   * page field, from the full catalogue (#anchor-catalog); the server sends the same filtered
   * list, so without this script the list is right after each Preview. The pages field lists
   * several pages separated by commas: its suggestions complete the last one. */
  function placing() {
    var catalog = document.getElementById("anchor-catalog");
    var pageList = document.getElementById("page-list");
    if (!catalog) return;
    var all = Array.prototype.slice.call(catalog.options);
    var pageNames = pageList ? Array.prototype.slice.call(pageList.options).map(function (o) { return o.value; }) : [];
    function names(value) {
      return value.split(/[\s,]+/).filter(function (v) { return v; });
    }
    function fill(list, input) {
      var chosen = names(input.value);
      var known = chosen.every(function (p) { return pageNames.indexOf(p) >= 0; });
      var keep = all.filter(function (o) {
        if (!chosen.length || !known) return true;
        var on = (o.getAttribute("data-pages") || "").split(" ");
        return chosen.some(function (p) { return on.indexOf(p) >= 0; });
      });
      list.replaceChildren.apply(list, keep.map(function (o) { return o.cloneNode(false); }));
    }
    Array.prototype.forEach.call(document.querySelectorAll("datalist[data-pages-from]"), function (list) {
      var input = document.getElementById(list.getAttribute("data-pages-from"));
      if (!input) return;
      input.addEventListener("input", function () { fill(list, input); });
      input.addEventListener("change", function () { fill(list, input); });
      fill(list, input);
    });
    var pages = document.getElementById("f-endpoints");
    if (pages && pageList) {
      var originals = Array.prototype.slice.call(pageList.options).map(function (o) { return o.cloneNode(false); });
      pages.addEventListener("input", function () {
        var cut = pages.value.lastIndexOf(",");
        var head = cut >= 0 ? pages.value.slice(0, cut + 1) + " " : "";
        pageList.replaceChildren.apply(pageList, originals.map(function (o) {
          var copy = o.cloneNode(false);
          copy.value = head.replace(/\s+$/, " ") + o.value;
          return copy;
        }));
      });
    }
  }

  /* A schedule field holds UTC; beside it, the same moment in the editor's own time zone. */
  function localTimes() {
    if (!window.Intl || !Intl.DateTimeFormat) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";
    var show = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-utc-time]"), function (input) {
      var out = document.getElementById("local-" + input.name);
      if (!out) return;
      function update() {
        var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(input.value);
        if (!m) { out.textContent = ""; return; }
        var at = new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)));
        out.textContent = "= " + show.format(at) + " (" + zone + ")";
      }
      input.addEventListener("input", update);
      input.addEventListener("change", update);
      update();
    });
  }
})();
