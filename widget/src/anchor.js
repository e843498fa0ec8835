/* Anchors: the host's [data-onboarding="KEY"] elements, which may appear after the widget ran. */

import { $ } from './dom.js';
import { onCleanup } from './state.js';

/** Calls found(element) once the anchor exists; missing() if it has not appeared within ms. */
export function waitForAnchor(key, found, missing, ms = 10e3) {
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
    if (missing) missing();
  }, ms);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(document.body, { childList: true, subtree: true });
  onCleanup(stop);
}
