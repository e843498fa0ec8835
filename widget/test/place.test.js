import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeCard } from '../src/place.js';

const viewport = { width: 1000, height: 600 };
const card = { width: 200, height: 100 };
const rect = (left, top, width = 120, height = 30) => ({ left, top, right: left + width, bottom: top + height });
const overlaps = (a, b) => a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
const box = (at, size = card) => ({ left: at.left, top: at.top, right: at.left + size.width, bottom: at.top + size.height });

test('below the anchor, centred on it, the arrow at the anchor centre', () => {
  assert.deepEqual(placeCard(rect(100, 50), card, viewport), { left: 60, top: 92, side: 'bottom', arrow: 100, covers: 0 });
});

test('flips above when there is no room below', () => {
  const at = placeCard(rect(100, 500), card, viewport);
  assert.equal(at.side, 'top');
  assert.equal(at.top, 500 - 12 - 100);
});

test('flips to the side when there is no room above or below', () => {
  const tall = { width: 200, height: 300 };
  const at = placeCard(rect(100, 250, 120, 100), tall, viewport);
  assert.equal(at.side, 'right');
  assert.equal(at.left, 232);
  assert.equal(at.arrow, 150); // the anchor's middle, measured from the card's top
});

test('right-to-left pages try the left side before the right', () => {
  const tall = { width: 200, height: 300 };
  const at = placeCard(rect(400, 250, 120, 100), tall, viewport, { rtl: true });
  assert.equal(at.side, 'left');
  assert.equal(at.left, 400 - 12 - 200);
});

test('shifts inside the viewport near its edges, the arrow still pointing at the anchor', () => {
  const right = placeCard(rect(950, 50, 40), card, viewport);
  assert.equal(right.left, 792);
  assert.equal(right.arrow, 970 - 792);
  const left = placeCard(rect(0, 50, 20), card, viewport);
  assert.equal(left.left, 8);
  assert.equal(left.arrow, 18); // clamped away from the rounded corner
  assert.equal(placeCard(rect(0, 50), card, { width: 150, height: 600 }).left, 8); // wider than the page
});

test('avoids covering the controls next to the anchor when another side has room', () => {
  const field = rect(100, 200, 200, 30);
  const button = rect(100, 250, 120, 36); // "Create alert", right below the field
  const at = placeCard(field, card, viewport, { avoid: [button] });
  assert.equal(at.side, 'top');
  assert.ok(!overlaps(box(at), button));
  assert.ok(!overlaps(box(at), field));
});

test('never covers its own anchor when any side has room', () => {
  for (let top = 0; top < 560; top += 40) {
    for (let left = 0; left < 900; left += 90) {
      const anchor = rect(left, top, 100, 30);
      const at = placeCard(anchor, card, viewport);
      assert.ok(!overlaps(box(at), anchor), `anchor at ${left},${top} covered from ${at.side}`);
    }
  }
});

test('with room on no side, the roomiest side wins and the card stays in the viewport', () => {
  const huge = { width: 900, height: 560 };
  const at = placeCard(rect(450, 280, 100, 40), huge, viewport);
  assert.ok(at.left >= 8 && at.top >= 8);
  assert.ok(at.left + huge.width <= 992 && at.top + huge.height <= 592);
});

test('a scrollable card that fits no side is shortened to fit below or above its anchor', () => {
  const panel = { width: 380, height: 500 };
  const opener = rect(100, 10, 60, 30); // in a header, 400 px tall viewport
  const at = placeCard(opener, panel, { width: 640, height: 400 }, { minHeight: 120 });
  assert.equal(at.side, 'bottom');
  assert.equal(at.top, 52);
  assert.equal(at.maxHeight, 400 - 40 - 12 - 8);
  assert.ok(!overlaps({ left: at.left, top: at.top, right: at.left + 380, bottom: at.top + at.maxHeight }, opener));
  // a card that cannot scroll keeps its size
  assert.equal(placeCard(opener, panel, { width: 640, height: 400 }).maxHeight, undefined);
  // not even the minimum height fits: no shortening
  assert.equal(placeCard(opener, panel, { width: 640, height: 150 }, { minHeight: 120 }).maxHeight, undefined);
});

test('a scrollable card is shortened below its opener rather than covering the controls beside it', () => {
  const panel = { width: 380, height: 360 };
  const opener = rect(100, 10, 60, 30);
  const neighbour = rect(170, 10, 80, 30); // the next control in the header
  const at = placeCard(opener, panel, { width: 640, height: 400 }, { avoid: [neighbour], minHeight: 120 });
  assert.equal(at.side, 'bottom');
  assert.equal(at.maxHeight, 340);
});

test('slides along a side past a control on the next row rather than cover it', () => {
  // the Year field: "Create alert" after it, the Filter row above, "Delete report" below at its start
  const year = rect(264, 436, 177, 21);
  const avoid = [rect(449, 436, 85, 21), rect(269, 399, 177, 21), rect(454, 399, 49, 21), rect(228, 473, 93, 21), rect(228, 360, 40, 20), rect(228, 436, 30, 21)]; // ... and its label
  const hint = { width: 234, height: 53 };
  const at = placeCard(year, hint, { width: 1280, height: 800 }, { avoid });
  assert.equal(at.covers, 0);
  assert.equal(at.side, 'bottom');
  for (const control of avoid) assert.ok(!overlaps(box(at, hint), control));
  assert.ok(at.left + at.arrow >= year.left && at.left + at.arrow <= year.right); // still pointing at the field
});

test('reports how many rects it covers when no spot is clear', () => {
  const field = rect(100, 100, 100, 30);
  const everywhere = [rect(0, 0, 1000, 95), rect(0, 135, 1000, 465), rect(0, 100, 95, 30), rect(205, 100, 795, 30)];
  const at = placeCard(field, card, viewport, { avoid: everywhere });
  assert.ok(at.covers >= 1);
  assert.equal(placeCard(field, card, viewport).covers, 0);
});
