/* Anchors: the host's [data-onboarding="KEY"] elements, which may appear after the widget ran. */

import { post } from './actions.js';
import { $ } from './dom.js';
import { onCleanup, state } from './state.js';

/** Calls found(element) once the anchor exists; missing() if it has not appeared within ms
    (5 s: docs/widget.md, "Placement"), reported to the server (POST /anchors/missing, which the
    console's preview-as shows) and on the console when the payload has debug. */
export function waitForAnchor(key, found, missing, ms = 5e3) {
  const selector = '[data-onboarding="' + CSS.escape(key || '') + '"]';
  const now = $(selector);
  if (now) return found(now);
  const observer = new MutationObserver(() => {
    const element = $(selector);
    if (element) {
      stop();
      found(element);
    }
  });
  const timer = setTimeout(() => {
    stop();
    if (state.payload.debug) console.warn('onboarding: missing', selector);
    post('/anchors/missing', { anchor: key, path: location.pathname }); // for the console's preview-as
    if (missing) missing();
  }, ms);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(document.body, { childList: true, subtree: true });
  onCleanup(stop);
}
