/* The resource centre's order and search: pure, tested with node --test. */

/** The centre's sections in order, each with its heading's UI string: the beginners'
    questions first (they need help most), then tips, the starter guide, tours, what's new. */
export const SECTIONS = [
  ['faq', 'faq_title'],
  ['advanced_tip', 'tips_title'],
  ['starter_guide', 'starter_title'],
  ['tour', 'tours'],
  ['changelog', 'changelog_title'],
];

/** Entries grouped by section, in the centre's order; within one, the server's order. */
export const sectionsOf = (entries) =>
  SECTIONS.map(([kind, heading]) => ({ kind, heading, entries: entries.filter((entry) => entry.kind == kind) })).filter(
    (section) => section.entries.length,
  );

const words = (text) => (text || '').toLocaleLowerCase().split(/\s+/).filter(Boolean);

/** Whether an entry's text holds every word of the query (any order, any case). */
export function matches(text, query) {
  const haystack = (text || '').toLocaleLowerCase();
  return words(query).every((word) => haystack.includes(word));
}
