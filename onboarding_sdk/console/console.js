/* The console's only script: a live preview of the guide being edited.
 *
 * As the person types, the form is posted (with its CSRF token) to the preview URL in
 * data-live-preview; the server answers with the preview rendered and sanitized in every
 * locale, which replaces #live-preview. Served by the console itself, no inline script, so
 * it runs under a strict CSP (script-src 'self'). Without it the Preview button does the
 * same with a whole page.
 */
(function () {
  "use strict";
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
})();
