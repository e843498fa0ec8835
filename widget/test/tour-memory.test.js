import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepReplay, laterToday, localDay, remindLater, replayOf } from '../src/tour/memory.js';
import { fakeStorage } from './fakes.js';

const blocked = {
  getItem() {
    throw new Error('SecurityError');
  },
  setItem() {
    throw new Error('QuotaExceededError');
  },
  removeItem() {
    throw new Error('SecurityError');
  },
};

test('a replay is kept per user until it ends', () => {
  const storage = fakeStorage();
  assert.equal(replayOf('u1', storage), null);
  keepReplay('u1', { id: 't', step: 1 }, storage);
  assert.deepEqual(replayOf('u1', storage), { id: 't', step: 1 });
  assert.equal(replayOf('u2', storage), null); // another user of this browser has none
  keepReplay('u1', null, storage);
  assert.equal(replayOf('u1', storage), null);
  storage.setItem('obtour:u1', '{broken');
  assert.equal(replayOf('u1', storage), null);
});

test('"remind me later" lasts until the next local day, per user and tour', () => {
  const storage = fakeStorage();
  const evening = new Date(2026, 11, 2, 23, 59);
  const morning = new Date(2026, 11, 3, 0, 1);
  remindLater('u1', 't', storage, evening);
  assert.ok(laterToday('u1', 't', storage, evening));
  assert.ok(!laterToday('u1', 't', storage, morning));
  assert.ok(!laterToday('u1', 'other', storage, evening));
  assert.ok(!laterToday('u2', 't', storage, evening));
  assert.equal(localDay(evening), '2026-12-2');
});

test('blocked or missing storage: nothing remembered, nothing thrown', () => {
  for (const storage of [blocked, undefined]) {
    keepReplay('u', { id: 't' }, storage);
    assert.equal(replayOf('u', storage), null);
    remindLater('u', 't', storage);
    assert.ok(!laterToday('u', 't', storage));
  }
});
