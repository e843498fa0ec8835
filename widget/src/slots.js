/* Inline kinds (footer help, the starter card) go only where the host said they may: a slot it
   marked (data-onboarding-slot="footer"|"starter", written by onboarding_slot()), or the
   server's no-JavaScript copy of the guide, which stands where the host called its helper.
   Without either, the starter card floats in the corner; footer help goes at the end of <main>
   (or <body>) only when that element is a plain block container, so it is never a grid or flex
   item of the host's layout, and floats in the corner otherwise (docs/widget.md, "Slots"). */

import { seen } from './actions.js';
import { card, dismiss } from './card.js';
import { $, el } from './dom.js';
import { addFloating, addInFlow, serverCopy, widgetRoot } from './layer.js';
import { hide, show } from './popover.js';
import { onCleanup } from './state.js';

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

/** The banner: in the host's slot when it marked one (data-onboarding-slot="banner"), else
    floating at the bottom of the viewport (in the top layer), never in the host's flow. There it
    reserves its own space without moving anything: a spacer after <body> (outside any grid or
    flex container of the host) lets the page's last rows scroll above it, and
    scroll-padding-bottom keeps what is focused or scrolled to above it; both go with it. On a
    page that does not scroll, no spacer (it would bring a scrollbar, which narrows the page).
    It stays out of the Escape stack: Escape belongs to what the user is doing on the page. */
export function drawBanner(guide) {
  const options = { close: dismiss, className: 'ob-ban', role: 'region' };
  if (slotFor('banner', guide)) return drawInline('banner', guide, options);
  const bar = addFloating(card(guide, options), hide);
  bar.showPopover();
  seen(guide);
  const room = bar.offsetHeight + 16 + 'px';
  widgetRoot().host.style.setProperty('--ob-ban', room); // corner cards go above it
  const html = document.documentElement;
  const spacer = el('ob-space');
  if (html.scrollHeight > innerHeight) html.append(spacer);
  spacer.style.cssText = 'display:block!important;height:' + room;
  const padded = getComputedStyle(html).scrollPaddingBottom == 'auto' && (html.style.scrollPaddingBottom = room);
  const discard = bar.discard;
  onCleanup(
    (bar.discard = () => {
      discard();
      spacer.remove();
      if (padded) html.style.scrollPaddingBottom = '';
    }),
  );
}
