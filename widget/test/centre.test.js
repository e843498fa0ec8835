import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matches, sectionsOf } from '../src/centre/entries.js';

test("the centre's sections: beginners' questions first, empty sections left out", () => {
  const entries = [
    { id: 'v2', kind: 'changelog' },
    { id: 'tip', kind: 'advanced_tip' },
    { id: 'tour', kind: 'tour' },
    { id: 'q2', kind: 'faq' },
    { id: 'q1', kind: 'faq' },
    { id: 'x', kind: 'tooltip' }, // not a centre kind: left out
  ];
  const sections = sectionsOf(entries);
  assert.deepEqual(
    sections.map((s) => [s.kind, s.heading, s.entries.map((e) => e.id)]),
    [
      ['faq', 'faq_title', ['q2', 'q1']], // the server's order within a section
      ['advanced_tip', 'tips_title', ['tip']],
      ['tour', 'tours', ['tour']],
      ['changelog', 'changelog_title', ['v2']],
    ],
  );
  assert.deepEqual(sectionsOf([]), []);
});

test('search: every word of the query, in any order and case', () => {
  assert.ok(matches('How do I export a report?', 'EXPORT report'));
  assert.ok(matches('How do I export a report?', '  report   export '));
  assert.ok(!matches('How do I export a report?', 'export chart'));
  assert.ok(matches('anything', '')); // an empty query shows everything
  assert.ok(matches('Ünïcode Straße', 'straße ünï'));
  assert.ok(!matches(undefined, 'a'));
  assert.ok(matches(undefined, ''));
});
