/* Single-page apps: after pushState or popstate the widget fetches the new page's payload. */

import { getJson } from './actions.js';
import { state } from './state.js';

/** Calls draw(payload) for each new path; an answer for an older navigation is ignored. */
export function followNavigation(draw) {
  let path = location.pathname;
  let generation = 0;
  const navigated = async () => {
    if (location.pathname == path || !state.payload) return;
    const mine = ++generation;
    path = location.pathname;
    const payload = await getJson('/guides?path=' + encodeURIComponent(path));
    if (payload && mine == generation) draw(payload);
  };
  const pushState = history.pushState;
  history.pushState = function (...args) {
    const result = pushState.apply(this, args);
    navigated();
    return result;
  };
  addEventListener('popstate', navigated);
}
