// Fakes for the queue's injected parts: a Web Storage, a server that answers POSTs, Web Locks.

import { webcrypto } from 'node:crypto';

/** A Storage (the methods the queue uses), shared by every "tab" it is handed to. */
export function fakeStorage() {
  const map = new Map();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => void map.set(k, String(v)),
    removeItem: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}

export const randomValues = (array) => webcrypto.getRandomValues(array);

/** A server: answers with the next status of `script` (then 200), after a turn of the event loop. */
export function fakeServer(script = []) {
  const requests = [];
  const statuses = [...script];
  const send = async (item) => {
    requests.push({ path: item.path, body: item.body, key: item.key });
    await new Promise((resolve) => setImmediate(resolve));
    const status = statuses.length ? statuses.shift() : 200;
    if (status == 'network') throw new TypeError('Failed to fetch');
    return { status, json: async () => ({ error: { code: status == 422 ? 'invalid' : 'x' } }) };
  };
  return { send, requests };
}

/** navigator.locks with exclusive, first-come-first-served named locks. */
export function fakeLocks() {
  const tails = new Map();
  return {
    request(name, callback) {
      const previous = tails.get(name) || Promise.resolve();
      const run = previous.then(() => callback({ name }));
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
}

/** Timers that fire only when the test says so. */
export function fakeTimers() {
  const pending = [];
  return {
    setTimer: (fn, ms) => pending.push({ fn, ms }),
    pending,
    fireAll: () => pending.splice(0).forEach((t) => t.fn()),
  };
}
