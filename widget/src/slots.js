/* Inline kinds (footer help, the starter card) go only where the host said they may: a slot it
   marked (data-onboarding-slot="footer"|"starter", written by onboarding_slot()), or the
   server's no-JavaScript copy of the guide, which stands where the host called its helper.
   Without either, the starter card floats in the corner; footer help goes at the end of <main>
   (or <body>) only when that element is a plain block container, so it is never a grid or flex
   item of the host's layout, and floats in the corner otherwise (docs/widget.md, "Slots"). */

import { seen } from './actions.js';
import { card, dismiss } from './card.js';
import { $ } from './dom.js';
import { addFloating, addInFlow, serverCopy, widgetRoot } from './layer.js';
import { hide, show } from './popover.js';

const BLOCK = /^(block|flow-root|list-item)$/; // their children are never grid or flex items

function slotFor(kind, guide) {
  const marked = $('[data-onboarding-slot="' + kind + '"],[data-onboarding-' + kind + ']') || serverCopy(kind, guide);
  if (marked || kind != 'footer') return marked;
  return [$('main'), document.body].find((node) => node && BLOCK.test(getComputedStyle(node).display));
}

/** Draws an inline kind in its slot, else as a card floating in the corner. */
export function drawInline(kind, guide, options) {
  const where = slotFor(kind, guide);
  if (where) {
    addInFlow(where, card(guide, { tag: 'section', ...options }), guide);
    return seen(guide);
  }
  const className = 'ob-corner ' + (options.className || '');
  const node = addFloating(card(guide, { ...options, className, close: hide }), hide);
  // corner cards stack upwards (the starter card and footer help on a page without slots)
  const below = [...widgetRoot().querySelectorAll('.ob-corner:popover-open')].reduce((sum, c) => sum + c.offsetHeight + 12, 0);
  node.style.setProperty('--ob-below', below + 'px');
  show(node, guide.auto_open);
}

/** The banner floats at the bottom of the viewport (in the top layer), never in the host's flow.
    It stays out of the Escape stack: Escape belongs to what the user is doing on the page. */
export function drawBanner(guide) {
  const bar = addFloating(card(guide, { close: dismiss, className: 'ob-ban', role: 'region' }), hide);
  bar.showPopover();
  seen(guide);
  widgetRoot().host.style.setProperty('--ob-ban', bar.offsetHeight + 'px'); // corner cards go above it
}
