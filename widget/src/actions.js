/* The widget's requests: GETs for other pages' data, and POSTs, which all go through the
   user's retry queue (queue.js) except the one that asks for the attention budget. */

import { createQueue, memoryStorage, newKey, sweep } from './queue.js';
import { BASE, state, readOnly } from './state.js';

let queue = null;
let queueUser;

// The queue's storage work (about 75 ms a load on a slow machine) never delays drawing: the
// `shown` reports, the sweep and the first flush run when the browser is next idle (within
// 1 s; Safari has no requestIdleCallback: a timer), or at once when the user leaves (leave()).
const later = [];
const runLater = () => later.splice(0).forEach((fn) => fn());
const idle = (fn) => later.push(fn) < 2 && (self.requestIdleCallback || setTimeout)(runLater, { timeout: 1e3 });

// Leaving the page (or hiding it: a phone may then end it unasked): what waited for idle time is
// queued now, and everything queued is sent at once, without waiting for the queue's lock, as
// keepalive fetches, which outlive the page and carry the CSRF token and Idempotency-Key (a
// beacon cannot). Items stay queued until answered; one sent twice is applied once (same key).
let left = 0;
function leave() {
  if (!document.hidden) return (left = 0);
  if (left++) return; // pagehide after visibilitychange: sent already
  runLater();
  if (queue && !readOnly()) queue.items().forEach((item) => send(item.path, item.body, item.key));
}
addEventListener('visibilitychange', leave);
addEventListener('pagehide', leave);

function browserStorage() {
  try {
    return localStorage; // throws in some sandboxed frames
  } catch {
    return memoryStorage();
  }
}

/** One POST; the CSRF token is this page's, so a queued item may go out with a later page's. */
function send(path, body, key) {
  const { api, csrf } = state.payload;
  return fetch(api + path, {
    method: 'POST',
    credentials: 'same-origin',
    keepalive: true, // still sent when the user navigates away right after a click
    headers: { 'Content-Type': 'application/json', [csrf.header]: csrf.token, 'Idempotency-Key': key },
    body: JSON.stringify(body),
  });
}

/** The queue of the payload's user (made again when a new payload names another user). */
export function useQueueOf(payload) {
  if (queue && queueUser === payload.user) return;
  queueUser = payload.user;
  // Without a user in the payload nothing is stored: it could be sent as someone else later.
  const storage = typeof payload.user == 'string' ? browserStorage() : memoryStorage();
  idle(() => sweep(storage));
  queue = createQueue({
    user: payload.user,
    storage,
    send: (item) => send(item.path, item.body, item.key),
    locks: navigator.locks,
    lease: (...args) => import(new URL('onboarding-lease.js', BASE)).then((chunk) => chunk.withLease(...args)),
    randomValues: (array) => crypto.getRandomValues(array),
    warn: (message) => state.payload.debug && console.warn(message),
  });
}

/** Queues a POST; read-only pages send nothing. Resolves when sent or waiting for a retry. */
export const post = (path, body) => (readOnly() ? Promise.resolve() : queue.add(path, body));

export const flush = () => idle(() => queue && !readOnly() && queue.flush());

export const act = (guide, action, body) => post('/guides/' + encodeURIComponent(guide.id) + '/' + action, body);

/** Reports a guide as shown, once per page view (queued when the browser is next idle). */
export function seen(guide) {
  if (guide && guide.id && !state.seenIds.has(guide.id)) {
    state.seenIds.add(guide.id);
    idle(() => act(guide, 'shown'));
  }
}

/** Asks the server for today's attention budget before a guide opens by itself: sent now, not
    queued (a late answer is useless). Resolves true only when the server granted it. */
export async function autoOpen(guide) {
  if (readOnly()) return false;
  try {
    const key = newKey((array) => crypto.getRandomValues(array));
    const answer = await (await send('/guides/' + encodeURIComponent(guide.id) + '/shown', { auto: true }, key)).json();
    if (answer.auto_open) state.seenIds.add(guide.id);
    return !!answer.auto_open;
  } catch {
    return false;
  }
}

/** GET under the API; null on any failure (the widget then draws nothing new). */
export async function getJson(path) {
  try {
    const response = await fetch(state.payload.api + path, { credentials: 'same-origin' });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}
