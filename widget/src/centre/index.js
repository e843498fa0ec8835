/* onboarding_sdk widget, lazy chunk (built to static/onboarding-centre.js): the resource centre,
   what the Tips panel shows. The core import()s it when the panel first opens; the entries come
   from GET {api}/centre then (never on a page view): the questions and tips the tips page lists,
   starter guides, tours to replay, what's new; a search box filters them. */

import { matches, sectionsOf } from './entries.js';

// The centre's few rules of its own, adopted next to the widget's sheet (onboarding.css is the
// core's budget; a constructed sheet needs no inline <style>, so a strict CSP allows it).
const CSS = `.ob-search{box-sizing:border-box;width:100%;min-height:36px;margin:2px 0 4px;padding:0 10px;font:inherit;color:inherit;background:var(--ob-bg);border:1px solid var(--ob-line);border-radius:8px}
.ob-g>h3{margin:14px 0 0;font-size:.78em;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--ob-muted)}
.ob-i{display:flex;align-items:center;justify-content:space-between;gap:8px;border-top:1px solid var(--ob-line);padding:8px 0 4px;margin-top:6px}
.ob-g>h3+*{border-top:0;margin-top:0}
.ob-empty{padding:12px 0}.ob-more{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:12px}`;
let sheet = null;

function adoptStyles(root) {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  if (root && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/** The centre's content for the Tips panel (nodes); `kit` is the core's toolkit (panels.js). */
export default async function centre(kit) {
  const { state, el, button, attr, setBody, safeHref, t, getJson, seen, loadTour, hide, widgetRoot } = kit;
  adoptStyles(widgetRoot());
  const answer = await getJson('/centre');
  // offline or refused: what this page's payload carries still shows
  const entries = (answer && answer.entries) || state.guides.filter((g) => /^(faq|advanced_tip)$/.test(g.kind));
  const empty = el('p', 'ob-s ob-empty', t(entries.length ? 'no_results' : 'no_help'));
  attr(empty, 'role', 'status');
  if (!entries.length) return [empty, safeHref(el('a', 'ob-k', t('more')), state.payload.tips_url)];

  const details = (entry, meta) => {
    const node = el('details', 'ob-d');
    node.append(el('summary', 'ob-d', entry.title), ...(meta ? [el('p', 'ob-s', meta)] : []), setBody(el('div', 'ob-b'), entry));
    return node;
  };
  const draw = {
    faq: (entry) => {
      const node = details(entry);
      node.ontoggle = () => node.open && seen(entry);
      return node;
    },
    // the one-page guide behind its link; a short one (no url: all of it is here) opens in place
    starter_guide: (entry) => {
      if (!entry.url) return details(entry);
      const node = el('p', 'ob-i');
      node.append(safeHref(el('a', 'ob-k', entry.title), entry.url));
      return node;
    },
    tour: (entry) => {
      const node = el('p', 'ob-i');
      const replay = button(t('replay'), (event) => {
        hide(event.target.closest('.ob-card'));
        loadTour({ ...entry, step: 0, auto_open: false, replay: true, jump: 1 });
      });
      node.append(el('span', 0, entry.title), attr(replay, 'aria-label', t('replay') + ': ' + entry.title));
      // the steps' titles are searched too: "export" finds the tour that shows exporting
      node.words = (entry.steps || []).map((step) => step.title).join(' ');
      return node;
    },
    changelog: (entry) => details(entry, [entry.version, entry.date].filter(Boolean).join(' · ')),
  };
  draw.advanced_tip = draw.faq;

  const search = el('input', 'ob-search');
  search.type = 'search';
  search.placeholder = t('search');
  attr(search, 'aria-label', t('search'));
  const sections = sectionsOf(entries).map(({ kind, heading, entries }) => {
    const section = el('section', 'ob-g');
    section.items = entries.map((entry) => {
      const node = draw[kind](entry);
      node.words = [node.textContent, entry.topic, node.words].join(' ');
      return node;
    });
    section.append(el('h3', 0, t(heading)), ...section.items);
    return section;
  });
  search.oninput = () => {
    let any = false;
    for (const section of sections) {
      for (const item of section.items) item.hidden = !matches(item.words, search.value);
      section.hidden = section.items.every((item) => item.hidden);
      any ||= !section.hidden;
    }
    empty.hidden = any;
  };
  search.oninput();
  // the full pages, on one row: what's new, and every tip and question ("See all")
  const more = el('p', 'ob-more');
  const changelog = state.payload.changelog || {};
  if (changelog.url) more.append(safeHref(el('a', 'ob-k', t('whats_new')), changelog.url));
  if (state.payload.tips_url) more.append(safeHref(el('a', 'ob-k', t('more')), state.payload.tips_url));
  return [search, ...sections, empty, more];
}

/** The checklist panel's content: "2 / 3", a progress bar and the items (ticked by the user's real
    actions, never by hand); a checklist found complete is reported once. */
export function checklist({ state, el, attr, act }, guide) {
  const items = guide.items || [];
  const done = items.filter((item) => item.done).length;
  const progress = el('progress');
  progress.max = items.length || 1;
  progress.value = done;
  attr(progress, 'aria-label', state.strings.checklist);
  const list = el('ul', 'ob-l');
  for (const item of items) {
    const li = el('li');
    const label = el('label');
    const box = el('input');
    box.type = 'checkbox';
    box.disabled = true; // progress comes from the user's real actions, not from ticking
    box.checked = item.done;
    label.append(box, ' ' + item.title);
    li.append(label);
    list.append(li);
  }
  if (items.length && done == items.length) act(guide, 'complete');
  return [el('p', 'ob-s', done + ' / ' + items.length), progress, list];
}
