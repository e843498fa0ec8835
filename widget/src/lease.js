/* The queue's lock where Web Locks are missing (navigator.locks needs a secure context: a plain
   http:// page has none). Built into the lazy chunk static/onboarding-lease.js, which the core
   import()s only there, so other pages never load it.

   A lease entry {tab, until} in the shared storage: a tab that finds another's live lease waits
   until it expires. Two tabs writing at once: the last write wins, and the other sees that when
   it reads the entry back. */

export const LEASE = 10e3; // the lease's lifetime, renewed before each request

/**
 * Runs fn(renew) while this tab holds the lease; answers 'busy' (fn not run) while another's is live.
 * @param {{storage: Storage, key: string, tab: string, now: () => number, setTimer: Function}} o
 * @param {(renew: () => void) => Promise<any>} fn
 */
export async function withLease({ storage, key, tab, now, setTimer }, fn) {
  const holder = () => {
    try {
      return JSON.parse(storage.getItem(key)) || {};
    } catch {
      return {};
    }
  };
  const take = () => {
    try {
      storage.setItem(key, JSON.stringify({ tab, until: now() + LEASE }));
    } catch {
      /* storage unavailable: only unsaved items, which no other tab sees */
    }
  };
  const other = holder();
  if (other.tab && other.tab != tab && other.until > now()) return 'busy';
  take();
  await new Promise((resolve) => setTimer(resolve, 20)); // let a concurrent writer land
  if (holder().tab && holder().tab != tab) return 'busy';
  try {
    return await fn(take);
  } finally {
    try {
      if (holder().tab == tab) storage.removeItem(key);
    } catch {
      /* storage unavailable */
    }
  }
}
