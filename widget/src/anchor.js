/* Anchors: the host's [data-onboarding="KEY"] elements, which may appear after the widget ran. */

import { $ } from './dom.js';
import { onCleanup, state } from './state.js';

/** Calls found(element) once the anchor exists; missing() if it has not appeared within ms
    (5 s: docs/widget.md, "Placement"), reported on the console when the payload has debug. */
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
    if (missing) missing();
  }, ms);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(document.body, { childList: true, subtree: true });
  onCleanup(stop);
}
