/* Single-page apps: after a same-document navigation the widget fetches the new page's payload. */

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
  // The Navigation API sees every same-document navigation (pushState, replaceState, back and
  // forward); elsewhere, pushState is wrapped and popstate heard.
  if (window.navigation) return navigation.addEventListener('currententrychange', navigated);
  const pushState = history.pushState;
  history.pushState = function (...args) {
    const result = pushState.apply(this, args);
    navigated();
    return result;
  };
  addEventListener('popstate', navigated);
}
