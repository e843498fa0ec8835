import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeCard } from '../src/place.js';

const viewport = { width: 1000, height: 600 };
const card = { width: 200, height: 100 };
const rect = (left, top, width = 120, height = 30) => ({ left, top, right: left + width, bottom: top + height });

test('below the anchor, aligned with its start edge', () => {
  assert.deepEqual(placeCard(rect(100, 50), card, viewport), { left: 100, top: 88 });
});

test('flips above when there is no room below but room above', () => {
  assert.deepEqual(placeCard(rect(100, 500), card, viewport), { left: 100, top: 392 });
});

test('stays below, clamped into the viewport, when there is room neither side', () => {
  const tall = { width: 200, height: 560 };
  assert.deepEqual(placeCard(rect(100, 300), tall, viewport), { left: 100, top: 32 });
});

test('right-to-left pages align the card with the anchor end edge', () => {
  assert.deepEqual(placeCard(rect(500, 50), card, viewport, true), { left: 420, top: 88 });
});

test('shifted inside the viewport near its edges', () => {
  assert.equal(placeCard(rect(950, 50), card, viewport).left, 792);
  assert.equal(placeCard(rect(-80, 50), card, viewport).left, 8);
  assert.equal(placeCard(rect(0, 50), card, { width: 150, height: 600 }).left, 8); // wider than the page
});
