/* What a tour remembers in this browser, apart from the server's state:
   - a replay started from the resource centre: sessionStorage `obtour:<user>` = the tour with
     its current `step`, so it follows the user across this tab's pages until it ends;
   - "Remind me later": localStorage `obl:<user>:<tour id>` = the local date it was asked on;
     the tour stays away in this browser for the rest of that day.
   Storage may be missing or blocked (sandboxed frames): then nothing is remembered. */

const store = (kind) => {
  try {
    return globalThis[kind];
  } catch {
    return undefined;
  }
};

/** Today as the user's local date (yyyy-mm-dd): "later" ends at the user's midnight. */
export const localDay = (now = new Date()) => [now.getFullYear(), now.getMonth() + 1, now.getDate()].join('-');

/** The replay in progress in this tab, or null. */
export function replayOf(user, storage = store('sessionStorage')) {
  try {
    return JSON.parse(storage.getItem('obtour:' + user));
  } catch {
    return null;
  }
}

/** Keeps a replay's place (a tour with its `step`), or ends it (null). */
export function keepReplay(user, tour, storage = store('sessionStorage')) {
  try {
    if (tour) storage.setItem('obtour:' + user, JSON.stringify(tour));
    else storage.removeItem('obtour:' + user);
  } catch {
    /* not remembered: the replay ends with this page */
  }
}

export function remindLater(user, id, storage = store('localStorage'), now = new Date()) {
  try {
    storage.setItem('obl:' + user + ':' + id, localDay(now));
  } catch {
    /* not remembered: the tour comes back on the next page */
  }
}

/** Whether the user asked to be reminded later today (in this browser). */
export function laterToday(user, id, storage = store('localStorage'), now = new Date()) {
  try {
    return storage.getItem('obl:' + user + ':' + id) == localDay(now);
  } catch {
    return false;
  }
}
