import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createQueue, KEEP, MAX_AGE, newKey, retryable, sweep } from '../src/queue.js';
import { withLease } from '../src/lease.js';
import { fakeLocks, fakeServer, fakeStorage, fakeTimers, randomValues } from './fakes.js';

const USER = 'a1b2c3d4e5f60718';

function tab({ storage, server, locks = fakeLocks(), user = USER, timers = fakeTimers(), ...rest }) {
  return createQueue({ user, storage, send: server.send, locks, lease: withLease, randomValues, setTimer: timers.setTimer, ...rest });
}

test('an idempotency key is 22 base64url characters, new every time', () => {
  const keys = new Set(Array.from({ length: 200 }, () => newKey(randomValues)));
  assert.equal(keys.size, 200);
  for (const key of keys) assert.match(key, /^[A-Za-z0-9_-]{22}$/);
});

test('which statuses are retried: 408, 429, 5xx and network errors only', () => {
  for (const status of [0, 408, 429, 500, 502, 503, 504]) assert.ok(retryable(status), status);
  for (const status of [200, 204, 400, 401, 403, 404, 409, 413, 422]) assert.ok(!retryable(status), status);
});

test('items are sent in order, each with its own key, and removed once answered', async () => {
  const storage = fakeStorage();
  const server = fakeServer();
  const queue = tab({ storage, server });
  queue.add('/guides/a/dismiss');
  await queue.add('/events', { name: 'x' });
  assert.deepEqual(
    server.requests.map((r) => [r.path, r.body]),
    [
      ['/guides/a/dismiss', {}],
      ['/events', { name: 'x' }],
    ],
  );
  assert.notEqual(server.requests[0].key, server.requests[1].key);
  assert.deepEqual(storage.keys(), []);
});

test('a retried item keeps its key, and waits with backoff', async () => {
  const storage = fakeStorage();
  const server = fakeServer([503, 'network', 429]);
  const timers = fakeTimers();
  const queue = tab({ storage, server, timers });
  await queue.add('/guides/a/dismiss');
  assert.equal(server.requests.length, 1);
  assert.equal(queue.items().length, 1); // kept: the server did not take it
  const waits = [];
  for (let i = 0; i < 3; i++) {
    waits.push(timers.pending[0].ms);
    timers.fireAll();
    await queue.flush();
  }
  assert.deepEqual(waits, [1000, 2000, 4000]);
  assert.equal(server.requests.length, 4);
  assert.equal(new Set(server.requests.map((r) => r.key)).size, 1); // the same key every time
  assert.equal(queue.items().length, 0);
});

test('a refused item (422, 403, 404) is dropped, never retried, and reported when debugging', async () => {
  const storage = fakeStorage();
  const server = fakeServer([422, 403]);
  const warnings = [];
  const timers = fakeTimers();
  const queue = tab({ storage, server, timers, warn: (m) => warnings.push(m) });
  queue.add('/guides/a/progress', { step: 9 });
  queue.add('/guides/b/dismiss');
  await queue.add('/guides/c/dismiss');
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/guides/a/progress', '/guides/b/dismiss', '/guides/c/dismiss'],
  );
  assert.equal(timers.pending.length, 0);
  assert.deepEqual(warnings, [
    'onboarding: /guides/a/progress refused with 422 invalid',
    'onboarding: /guides/b/dismiss refused with 403 x',
  ]);
  assert.deepEqual(storage.keys(), []);
});

test("another user's items are never sent; they wait for that user", async () => {
  const storage = fakeStorage();
  const down = fakeServer(['network']);
  await tab({ storage, server: down, user: 'aaaaaaaaaaaaaaaa' }).add('/guides/a/dismiss');
  const server = fakeServer();
  const other = tab({ storage, server, user: 'bbbbbbbbbbbbbbbb' });
  await other.add('/events', { name: 'x' });
  await other.flush();
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/events'],
  );
  const back = tab({ storage, server, user: 'aaaaaaaaaaaaaaaa' });
  await back.flush();
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/events', '/guides/a/dismiss'],
  );
  assert.equal(server.requests[1].key, down.requests[0].key);
});

test('two tabs draining at once send each item exactly once and drop none', async () => {
  const storage = fakeStorage();
  const locks = fakeLocks();
  const down = fakeServer(Array(20).fill('network'));
  const first = tab({ storage, server: down, locks });
  for (let i = 0; i < 10; i++) await first.add('/events', { name: 'e' + i });
  assert.equal(first.items().length, 10);
  const server = fakeServer();
  const a = tab({ storage, server, locks });
  const b = tab({ storage, server, locks });
  await Promise.all([a.flush(), b.flush(), a.flush(), b.add('/events', { name: 'late' })]);
  const names = server.requests.map((r) => r.body.name);
  assert.equal(names.length, 11);
  assert.equal(new Set(server.requests.map((r) => r.key)).size, 11);
  const expected = [...Array.from({ length: 10 }, (_, i) => 'e' + i), 'late'];
  assert.deepEqual([...names].sort(), expected.sort());
  // one tab's own items go out in the order it queued them
  assert.deepEqual(
    names.filter((n) => n != 'late'),
    Array.from({ length: 10 }, (_, i) => 'e' + i),
  );
  assert.deepEqual(storage.keys(), []);
});

test('without Web Locks a lease lets one tab drain; the other waits for it to end', async () => {
  const storage = fakeStorage();
  const server = fakeServer();
  const timers = fakeTimers();
  let clock = 1000;
  const now = () => clock;
  const a = tab({ storage, server, locks: null, now, setTimer: (fn, ms) => (ms == 20 ? setTimeout(fn, 0) : timers.setTimer(fn, ms)) });
  const b = tab({ storage, server, locks: null, now, setTimer: (fn, ms) => (ms == 20 ? setTimeout(fn, 0) : timers.setTimer(fn, ms)) });
  storage.setItem('obq-lease:' + USER, JSON.stringify({ tab: 'someone-else', until: clock + 5000 }));
  await a.add('/events', { name: 'x' });
  assert.equal(server.requests.length, 0); // another tab holds a live lease
  assert.equal(timers.pending.length, 1);
  clock += 6000; // that tab went away: its lease expired
  await b.flush();
  assert.equal(server.requests.length, 1);
  assert.equal(storage.getItem('obq-lease:' + USER), null); // released
  timers.fireAll();
  await a.flush();
  assert.equal(server.requests.length, 1); // nothing sent twice
});

test('the queue keeps the newest items per user, and items expire after 7 days', async () => {
  const storage = fakeStorage();
  let clock = 0;
  const queue = tab({ storage, server: fakeServer(Array(100).fill('network')), now: () => clock });
  for (let i = 0; i < KEEP + 5; i++) {
    clock++;
    queue.add('/events', { name: 'e' + i });
  }
  await queue.flush();
  const kept = queue.items();
  assert.equal(kept.length, KEEP);
  assert.equal(kept[0].body.name, 'e5');
  clock += MAX_AGE;
  assert.equal(queue.items().length, 0);
  assert.deepEqual(storage.keys(), []);
});

test('storage that refuses writes still sends from memory', async () => {
  const storage = fakeStorage();
  storage.setItem = () => {
    throw new Error('QuotaExceededError');
  };
  const server = fakeServer();
  await tab({ storage, server }).add('/guides/a/dismiss');
  assert.equal(server.requests.length, 1);
});

test('sweep drops the old shared `obq` array and expired items of any user, and nothing else', () => {
  const storage = fakeStorage();
  storage.setItem('obq', JSON.stringify([['/guides/a/dismiss', {}]]));
  storage.setItem('obq:aaaaaaaaaaaaaaaa:k1', JSON.stringify({ path: '/x', body: {}, at: 0, n: 0 }));
  storage.setItem('obq:bbbbbbbbbbbbbbbb:k2', JSON.stringify({ path: '/y', body: {}, at: MAX_AGE, n: 0 }));
  storage.setItem('obq:bbbbbbbbbbbbbbbb:k3', 'not json');
  storage.setItem('host-key', '1');
  sweep(storage, MAX_AGE + 1);
  assert.deepEqual(storage.keys().sort(), ['host-key', 'obq:bbbbbbbbbbbbbbbb:k2']);
});
