/* The retry queue every widget POST goes through (docs/widget-contract.md, "The action queue").

   Pure: storage (a Web Storage object), send, locks, clock and timers are passed in, so node's
   test runner drives it with fakes and the browser with localStorage, fetch and navigator.locks.

   - Each item is its own storage entry, `obq:<user>:<idempotency key>`, so two tabs adding at
     once never overwrite each other's items (one shared array could lose one).
   - Only the items of this page's user are read; another user's wait for that user (7 days).
   - One tab drains at a time: Web Locks where present, else a lease entry with an expiry
     (lease.js, passed in: the browser loads it as a lazy chunk only where it is needed).
   - An item is removed only after the server answered; the same Idempotency-Key goes with
     every retry, so a retry after a lost answer is applied once. */

export const PREFIX = 'obq:';
export const KEEP = 50; // items per user; the oldest go first
export const MAX_AGE = 7 * 24 * 3600e3; // how long an item waits for its user to come back
export const FIRST_WAIT = 1e3; // retry backoff: 1 s doubling to 60 s
export const LAST_WAIT = 60e3;

/** 22 random base64url characters (128 bits) from a getRandomValues-like function. */
export const newKey = (randomValues) =>
  btoa(String.fromCharCode(...randomValues(new Uint8Array(16))))
    .slice(0, 22)
    .replace(/[+/]/g, (c) => (c == '+' ? '-' : '_'));

/** Statuses worth sending again with the same key: the write may or may not have happened. */
export const retryable = (status) => !status || status == 408 || status == 429 || status >= 500;

/**
 * The queue of one user's actions.
 * @param {object} o
 * @param {string} o.user - the payload's `user` (an HMAC of the user id, never the id itself)
 * @param {Storage} o.storage - localStorage, or any object with its methods
 * @param {(item) => Promise<{status: number, json: () => Promise<any>}>} o.send - one POST; rejects on a network error
 * @param {{request: Function}} [o.locks] - navigator.locks, when the browser has it
 * @param {Function} [o.lease] - lease.js withLease (or a loader of it): the lock without Web Locks
 * @param {(array: Uint8Array) => Uint8Array} o.randomValues - crypto.getRandomValues
 * @param {(message: string) => void} [o.warn] - where refusals are reported (payload.debug only)
 */
export function createQueue({ user, storage, send, locks, lease, randomValues, warn, now = Date.now, setTimer = setTimeout }) {
  const prefix = PREFIX + user + ':';
  const tab = newKey(randomValues); // this tab's name in the lease
  const unsaved = new Map(); // items storage refused (quota, private mode): sent from memory
  let order = 0; // orders items added in the same millisecond
  let wait = FIRST_WAIT;
  let timer = 0;
  let busy = null;
  let again = false;

  function read(id) {
    let item = unsaved.get(id);
    try {
      item ??= JSON.parse(storage.getItem(id));
    } catch {
      item = null;
    }
    if (item && now() - item.at < MAX_AGE) return { ...item, id, key: id.slice(prefix.length) };
    remove(id); // unreadable or too old: it would never be sent
    return null;
  }

  function remove(id) {
    unsaved.delete(id);
    try {
      storage.removeItem(id);
    } catch {
      /* storage unavailable: nothing stored there */
    }
  }

  /** This user's items, oldest first. */
  function items() {
    const ids = new Set(unsaved.keys());
    try {
      for (let i = 0; i < storage.length; i++) {
        const id = storage.key(i);
        if (id && id.startsWith(prefix)) ids.add(id);
      }
    } catch {
      /* storage unavailable: the unsaved items only */
    }
    return [...ids]
      .map(read)
      .filter(Boolean)
      .sort((a, b) => a.at - b.at || a.n - b.n);
  }

  /** Queues a POST and starts sending; resolves once the queue is sent or waiting to retry. */
  function add(path, body = {}) {
    const id = prefix + newKey(randomValues);
    const item = { path, body, at: now(), n: order++ };
    try {
      storage.setItem(id, JSON.stringify(item));
    } catch {
      unsaved.set(id, item);
    }
    const all = items();
    all.slice(0, Math.max(0, all.length - KEEP)).forEach((old) => remove(old.id));
    return flush();
  }

  /** Sends what is queued. Calls while a drain runs make it look once more when it ends. */
  function flush() {
    if (busy) {
      again = true;
      return busy;
    }
    busy = (async () => {
      let result;
      do {
        again = false;
        result = await exclusively(drain);
      } while (again && result != 'parked');
    })().finally(() => (busy = null));
    return busy;
  }

  async function drain(renew) {
    for (let item; (item = items()[0]); ) {
      renew();
      let response = null;
      try {
        response = await send(item);
      } catch {
        /* a network error: retried below */
      }
      const status = response ? response.status : 0;
      if (retryable(status)) return park();
      remove(item.id); // answered: done, or refused for good
      if (status >= 300 && warn) warn(`onboarding: ${item.path} refused with ${status} ${await errorCode(response)}`.trim());
    }
    wait = FIRST_WAIT;
    return 'sent';
  }

  // Retry later with backoff; a timer already set (or the `online` event) covers it.
  function park() {
    if (!timer) timer = setTimer(() => ((timer = 0), flush()), wait);
    wait = Math.min(wait * 2, LAST_WAIT);
    return 'parked';
  }

  /** Runs fn while no other tab of this user drains: Web Locks, else the lease (lease.js). */
  async function exclusively(fn) {
    if (locks) return locks.request(PREFIX + user, () => fn(() => {}));
    const result = await lease({ storage, key: 'obq-lease:' + user, tab, now, setTimer }, fn).catch(() => 'busy');
    return result == 'busy' ? park() : result;
  }

  return { add, flush, items };
}

async function errorCode(response) {
  try {
    return (await response.json()).error.code || '';
  } catch {
    return '';
  }
}

/** Removes entries no page can send any more: the old shared `obq` array (its items name no
    user, so they may be another user's) and any user's items older than MAX_AGE. */
export function sweep(storage, now = Date.now()) {
  try {
    storage.removeItem('obq');
    const stale = [];
    for (let i = 0; i < storage.length; i++) {
      const id = storage.key(i);
      if (!id || !id.startsWith(PREFIX)) continue;
      let at = 0;
      try {
        at = JSON.parse(storage.getItem(id)).at;
      } catch {
        /* unreadable: stale */
      }
      if (!(now - at < MAX_AGE)) stale.push(id);
    }
    stale.forEach((id) => storage.removeItem(id));
  } catch {
    /* storage unavailable */
  }
}

/** A Storage in memory: used when the payload names no user, so nothing outlives the page. */
export function memoryStorage() {
  const map = new Map();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  };
}
