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
  [placing, localTimes, segmentRows].forEach(function (enhance) {
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
        status.textContent = text("The live preview is unavailable (reload the page?); the Preview button still works.");
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

  /* The page's texts in the console's language (a data attribute: no inline script). */
  function text(english) {
    var texts = {};
    try { texts = JSON.parse(document.body.getAttribute("data-console-texts") || "{}"); } catch (error) { texts = {}; }
    return texts[english] || english;
  }

  /* The segment builder: "Add a condition" adds a blank row in place (without this script it
   * posts the form and the server adds it); each row shows only the parts its field uses. */
  function segmentRows() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-segment-rows]"), function (box) {
      var ops = {};
      try { ops = JSON.parse(box.getAttribute("data-seg-ops") || "{}"); } catch (error) { ops = {}; }
      function rows() { return box.querySelectorAll("[data-seg-row]"); }
      function fit(row) {
        var field = row.querySelector("select[name$='.field']");
        var op = row.querySelector("select[name$='.op']");
        if (!field || !op) return;
        var allowed = ops[field.value] || null;
        Array.prototype.forEach.call(op.options, function (option) {
          option.hidden = !!allowed && allowed.indexOf(option.value) < 0;
        });
        if (allowed && allowed.indexOf(op.value) < 0) op.value = allowed[0];
        var name = row.querySelector("input[name$='.name']");
        var until = row.querySelector("input[name$='.until']");
        if (name) name.closest(".field").hidden = field.value !== "trait" && !name.value;
        if (until) until.closest(".field").hidden = op.value !== "between" && !until.value;
      }
      Array.prototype.forEach.call(rows(), function (row) {
        fit(row);
        row.addEventListener("change", function () { fit(row); });
      });
      var add = box.querySelector("[data-add-seg-row]");
      if (!add) return;
      add.addEventListener("click", function (event) {
        var all = rows();
        if (!all.length) return; // the server adds the first one
        event.preventDefault();
        var last = all[all.length - 1];
        var next = 0;
        Array.prototype.forEach.call(all, function (row) {
          var m = /^seg\.(\d+)\./.exec((row.querySelector("[name^='seg.']") || {}).name || "");
          if (m) next = Math.max(next, +m[1] + 1);
        });
        var copy = last.cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("[name], [id], [for], [aria-describedby]"), function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var v = el.getAttribute(attr);
            if (v) el.setAttribute(attr, v.replace(/seg\.\d+\./, "seg." + next + "."));
          });
          el.removeAttribute("aria-describedby");
          el.removeAttribute("aria-invalid");
          if (el.tagName === "INPUT" && el.type === "checkbox") el.checked = false;
          else if (el.tagName === "INPUT") el.value = "";
          else if (el.tagName === "SELECT") el.selectedIndex = 0;
        });
        Array.prototype.forEach.call(copy.querySelectorAll(".field-error, .field-warning"), function (el) { el.remove(); });
        last.parentNode.insertBefore(copy, last.nextSibling);
        fit(copy);
        copy.addEventListener("change", function () { fit(copy); });
        var first = copy.querySelector("select");
        if (first) first.focus();
      });
    });
  }

  /* A schedule field holds UTC; beside it, the same moment in the editor's own time zone. */
  function localTimes() {
    if (!window.Intl || !Intl.DateTimeFormat) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || text("your time zone");
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
