/* onboarding_sdk widget, the core (built to static/onboarding.js, a classic deferred script).
   Draws the guides the server inlined in #onboarding-data; the contract is
   docs/widget-contract.md. Tours are a lazy chunk (tour/index.js -> onboarding-tour.js). */

import { autoOpen, flush, post, useQueueOf } from './actions.js';
import { waitForAnchor } from './anchor.js';
import { confirmThenClick } from './confirm.js';
import { $, el, safeHref, t } from './dom.js';
import { floatingRoot, rethemeAll, say } from './layer.js';
import { followNavigation } from './navigation.js';
import { newestFirst } from './news.js';
import { changelogEntries, drawBadges, openPanel } from './panels.js';
import { hide, reflow, trap } from './popover.js';
import { drawBanner, drawInline } from './slots.js';
import { cleanUp, state } from './state.js';
import { serverHint, tooltip } from './tooltip.js';
import { loadTour, resumeReplay } from './tours.js';

const openerOf = (kind) => $('[data-onboarding-open="' + kind + '"]');

/** Draws a payload: at first paint, and again after each single-page-app navigation. */
function start(payload) {
  cleanUp();
  Object.assign(state, {
    payload,
    strings: payload.strings || {},
    guides: payload.guides || [],
    seenIds: new Set(),
    stack: [],
  });
  useQueueOf(payload);
  floatingRoot(); // with the live region: announcements made on load are read
  rethemeAll();
  state.guides.forEach(drawGuide);
  resumeReplay(); // a tour replayed from the resource centre
  (payload.hints || []).forEach(serverHint);
  drawBadges();
  announceChangelog(payload.changelog || {});
  flush(); // what earlier pages left in the queue
}

function drawGuide(guide) {
  const kind = guide.kind;
  if (kind == 'tooltip' && guide.purpose != 'confirm') {
    waitForAnchor(guide.anchor, (anchor) => tooltip(guide, anchor));
  } else if (kind == 'banner') {
    drawBanner(guide);
    say(guide.title);
  } else if (kind == 'footer_help') {
    drawInline('footer', guide, { feedback: true, className: 'ob-foot' });
  } else if (kind == 'starter_guide') {
    const link = guide.url ? [safeHref(el('a', 'ob-k', state.strings.starter), guide.url)] : [];
    drawInline('starter', guide, { feedback: true, dismissible: true, content: link });
  } else if (kind == 'tour') {
    loadTour(guide);
  } else if (guide.auto_open && /^(advanced_tip|faq|checklist)$/.test(kind)) {
    const panel = kind == 'checklist' ? kind : 'tips';
    autoOpen(guide).then((granted) => granted && openPanel(panel, openerOf(panel)));
  }
}

function announceChangelog(changelog) {
  if (!(changelog.unread > 0) || changelog.level == 'silent') return;
  say(t('new_items', { n: changelog.unread }));
  if (changelog.level != 'popup') return;
  // the newest unread popup entry opens the panel, if the attention budget allows
  changelogEntries().then((entries) => {
    const entry = newestFirst(entries).find((e) => e.level == 'popup' && !e.read);
    if (entry) autoOpen(entry).then((granted) => granted && openPanel('changelog', openerOf('changelog')));
  });
}

// ---- page-wide listeners, installed once ----

document.addEventListener(
  'click',
  (event) => {
    const control = event.target.closest && event.target.closest('[data-onboarding-open],[data-onboarding-confirm]');
    if (!control || !state.payload || control.obConfirmed) return;
    event.preventDefault();
    if (control.dataset.onboardingOpen) return openPanel(control.dataset.onboardingOpen, control);
    confirmThenClick(event, control);
  },
  true, // capture: the confirmation must stop the click before the host's handlers see it
);

// A click outside closes panels and tooltips (not the tour, the starter card or hints).
document.addEventListener(
  'pointerdown',
  (event) => {
    const path = event.composedPath();
    for (const open of state.stack) {
      if (open.lightDismiss && ![open, open.anchor, open.beacon].some((node) => path.includes(node))) hide(open);
    }
  },
  true,
);

document.addEventListener('keydown', (event) => {
  if (event.key == 'Tab' && state.stack.length) trap(event, state.stack.at(-1));
  // Escape in the confirmation (a modal dialog) is the dialog's: it cancels it
  if (event.key == 'Escape' && state.stack.length && !event.composedPath().some((node) => node.localName == 'dialog')) {
    hide(state.stack.at(-1));
    event.preventDefault();
  }
});

addEventListener('scroll', reflow, true);
addEventListener('resize', reflow);
addEventListener('online', flush);
matchMedia('(prefers-color-scheme:dark)').addEventListener('change', rethemeAll);
followNavigation(start);

window.onboarding = {
  track: (name) => post('/events', { name }),
  open: (kind) => openPanel(kind, null),
};

try {
  start(JSON.parse($('#onboarding-data').textContent));
} catch (error) {
  console.warn('onboarding:', error);
}
