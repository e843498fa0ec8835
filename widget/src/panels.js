/* The panels a host control opens ([data-onboarding-open=tips|changelog|checklist]) and the
   what's-new badge. The Tips panel is the resource centre, a lazy chunk (centre/index.js ->
   onboarding-centre.js) loaded when it first opens; the checklist's content comes from there too. */

import { getJson, post, seen } from './actions.js';
import { card } from './card.js';
import { $, attr, el, safeHref, setBody, t } from './dom.js';
import { addFloating, widgetRoot } from './layer.js';
import { newestFirst } from './news.js';
import { hide, show } from './popover.js';
import { BASE, state } from './state.js';
import { kit, loadTour } from './tours.js';

/** Panel content from the lazy chunk (centre/index.js): the resource centre, the checklist;
    nothing if the chunk cannot load. */
const fromChunk = (draw) =>
  import(new URL('onboarding-centre.js', BASE)).then(
    (chunk) => draw(chunk, { ...kit, setBody, getJson, seen, loadTour, widgetRoot }),
    () => [],
  );

/**
 * Opens a panel (one at a time); a second activation of the same opener closes it.
 * @param {'tips'|'changelog'|'checklist'} kind
 * @param {Element|null} opener - the host control, or null (window.onboarding.open, auto_open)
 */
export async function openPanel(kind, opener, takeFocus = true) {
  const root = widgetRoot();
  // only an open panel is closed by its opener: after Escape or a click outside, one activation opens it again
  const open = root && $('.ob-' + kind + ':popover-open', root);
  if (root) root.querySelectorAll('.ob-p').forEach((panel) => panel.discard());
  if (open && opener && open.anchor == opener) return;
  const strings = state.strings;
  let guide = { title: strings[kind] };
  let content;
  let url;
  if (kind == 'tips') {
    content = await fromChunk((chunk, toolkit) => chunk.default(toolkit)); // with its own links to the full pages
  } else if (kind == 'changelog') {
    const changelog = state.payload.changelog || {};
    url = changelog.url;
    guide.title = strings.whats_new;
    content = newestFirst(await changelogEntries()).map(changelogEntry);
    if (!content.length) content = [el('p', 'ob-s ob-empty', t('no_entries'))];
    if (changelog.unread) {
      post('/changelog/read'); // opening the panel reads everything in it
      changelog.unread = 0;
      drawBadges();
    }
  } else if (kind == 'checklist') {
    const checklist = state.guides.find((g) => g.kind == kind);
    if (!checklist) return;
    guide = { ...checklist, title: checklist.title || strings.checklist };
    content = await fromChunk((chunk, toolkit) => chunk.checklist(toolkit, checklist));
  } else return;
  if (url) content.push(safeHref(el('a', 'ob-k', strings.more || guide.title), url));
  const className = 'ob-p ob-' + kind + (opener ? '' : ' ob-corner');
  const panel = addFloating(card(guide, { close: hide, className, content }), hide);
  panel.anchor = opener;
  panel.lightDismiss = true;
  show(panel, takeFocus);
}

function changelogEntry(entry) {
  const article = el('article', 'ob-e');
  const meta = [entry.version, entry.date].filter(Boolean).join(' · ');
  article.append(el('h3', 'ob-t', entry.title), el('p', 'ob-s', meta), setBody(el('div', 'ob-b'), entry));
  return article;
}

/** The payload's changelog guides, else GET /changelog (only when the panel opens). */
export async function changelogEntries() {
  const entries = state.guides.filter((g) => g.kind == 'changelog');
  return entries.length ? entries : ((await getJson('/changelog')) || {}).entries || [];
}

/** The unread badge in every what's-new opener, replacing the server's no-JavaScript badge. */
export function drawBadges() {
  document.querySelectorAll('.ob-badge,.ob-visually-hidden').forEach((badge) => badge.remove());
  const changelog = state.payload.changelog || {};
  const unread = changelog.unread;
  if (!(unread > 0) || changelog.level == 'silent') return;
  document.querySelectorAll('[data-onboarding-open=changelog]').forEach((opener) => {
    const badge = el('span', 'ob-badge');
    badge.append(attr(el('span', 0, unread), 'aria-hidden', true), el('span', 'ob-sr', ' ' + t('new_items', { n: unread })));
    opener.append(badge);
  });
}
