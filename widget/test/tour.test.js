import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstStep, isOnThisPage, stepPlacement } from '../src/tour/steps.js';

const here = new URL('https://app.example/tour/start?x=1');

test('a step is on this page by its endpoint, else by its url path', () => {
  assert.ok(isOnThisPage({ endpoint: 'tour.start', url: '/elsewhere' }, 'tour.start', here));
  assert.ok(!isOnThisPage({ endpoint: 'tour.next', url: '/tour/start' }, 'tour.start', here));
  assert.ok(isOnThisPage({ url: '/tour/start' }, 'x', here));
  assert.ok(isOnThisPage({ url: 'https://app.example/tour/start#a' }, 'x', here));
  assert.ok(!isOnThisPage({ url: '/tour/next' }, 'x', here));
  assert.ok(isOnThisPage({}, 'x', here)); // no page named: everywhere
});

test("the first step shown is the server's, kept inside the tour", () => {
  const steps = [{}, {}, {}];
  assert.equal(firstStep({ steps }), 0);
  assert.equal(firstStep({ steps, step: 2 }), 2);
  assert.equal(firstStep({ steps, step: 7 }), 2);
  assert.equal(firstStep({ steps, step: -1 }), 0);
  assert.equal(firstStep({ step: 3 }), 0);
});

test('a step sits at its anchor, centred on its page, or in the corner elsewhere', () => {
  assert.equal(stepPlacement({}, true), '');
  assert.equal(stepPlacement(undefined, true), 'ob-center');
  assert.equal(stepPlacement(undefined, false), 'ob-corner');
});
