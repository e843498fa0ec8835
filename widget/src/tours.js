/* Tours in the core: loading the lazy chunk (tour/index.js -> onboarding-tour.js), and
   resuming a replay the user started from the resource centre (kept in sessionStorage by the
   chunk, so it follows the user across this tab's pages until it ends). */

import { act, autoOpen } from './actions.js';
import { waitForAnchor } from './anchor.js';
import { card, dismiss } from './card.js';
import { attr, button, el, safeHref, t } from './dom.js';
import { addFloating, say } from './layer.js';
import { hide, show } from './popover.js';
import { BASE, state } from './state.js';

// The chunk is an ES module import()ed from beside the core: under a strict CSP it loads with
// the core's nonce (no eval, no inline script). It gets the core's toolkit, so it shares this
// page's state and draws exactly like the other cards.
export const kit = { state, el, button, attr, card, addFloating, show, hide, waitForAnchor, act, t, safeHref, dismiss, autoOpen, say };

export function loadTour(guide) {
  import(new URL('onboarding-tour.js', BASE))
    .then((chunk) => chunk.default(kit, guide))
    .catch(() => {});
}

/** On every payload: a replay in progress (tour/memory.js keeps it) goes on, on this page. */
export function resumeReplay() {
  try {
    const tour = JSON.parse(sessionStorage.getItem('obtour:' + state.payload.user));
    if (tour) loadTour(tour);
  } catch {
    /* storage blocked or a broken entry: no replay */
  }
}
