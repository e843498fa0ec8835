import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newestFirst } from '../src/news.js';

test("what's new lists the newest entry first; undated entries last, in the server's order", () => {
  const entries = [
    { id: 'a', date: '2026-09-15' },
    { id: 'u1' },
    { id: 'b', date: '2026-11-01' },
    { id: 'u2', date: null },
    { id: 'c', date: '2026-10-01' },
  ];
  assert.deepEqual(
    newestFirst(entries).map((e) => e.id),
    ['b', 'c', 'a', 'u1', 'u2'],
  );
  assert.equal(entries[0].id, 'a'); // the payload's list is left as it was
});
