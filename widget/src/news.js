/* What's new: entries newest first everywhere (issue 11, item 9). Pure, tested with node --test. */

/** Newest first by `date` (ISO dates compare as strings); undated entries last, in server order. */
export const newestFirst = (entries) => [...entries].sort((a, b) => (b.date || '').localeCompare(a.date || ''));
