/* Opening, closing and positioning floating cards (popovers in the top layer) and beacons. */

import { attr, deepActive, el, isOpen } from './dom.js';
import { attachRoot } from './layer.js';
import { seen } from './actions.js';
import { BASE, onCleanup, state } from './state.js';

/** Opens a card; with takeFocus it moves focus in and gives it back when it closes. */
export function show(card, takeFocus) {
  if (!card.isConnected || isOpen(card)) return;
  const before = deepActive();
  if (card.spot) card.spot.showPopover(); // the spotlight first: the card is drawn above it
  card.showPopover();
  state.stack.push(card);
  if (card.anchor) watchSize.observe(card.anchor);
  place(card);
  seen(card.guide);
  if (card.beacon) attr(card.beacon, 'aria-expanded', true);
  if (takeFocus) {
    card.returnFocus = before;
    card.focus({ preventScroll: true });
    loadPositioner(); // its focus trap: Tab stays in a card the user opened (trap below)
  }
}

/** Tab and Shift+Tab cycle inside the top card while it holds the focus it took (a panel, a tour
    step, a tooltip opened from its beacon); hover tooltips never take focus, so never trap it. */
export const trap = (event, card) => positioner && card.returnFocus && positioner.trap(event, card);

export function hide(card) {
  if (!isOpen(card)) return;
  const hadFocus = card.contains(deepActive());
  if (hadFocus) deepActive().blur();
  card.hidePopover();
  if (card.spot) card.spot.hidePopover();
  state.stack = state.stack.filter((open) => open != card);
  if (card.anchor) watchSize.unobserve(card.anchor);
  if (card.beacon) attr(card.beacon, 'aria-expanded', false);
  // Focus goes back where it was, unless the user has since moved it somewhere else.
  if (card.returnFocus && (hadFocus || deepActive() == document.body)) card.returnFocus.focus();
  card.returnFocus = null;
}

let positioner = null; // the lazy chunk (float/index.js): position(card, rtl), placeMark(mark, rtl)
let loading = null;

/** Loads the placement chunk (onboarding-float.js) once, then places what is open; a card
    that was to take focus takes it now (it could not while hidden). Resolves to the chunk
    (undefined if it cannot load). */
export function loadPositioner() {
  return (loading ||= import(new URL('onboarding-float.js', BASE)).then((chunk) => {
    positioner = chunk;
    update();
    for (const card of state.stack) if (card.returnFocus && !card.contains(deepActive())) card.focus();
    return chunk;
  }, () => {}));
}

/** Positions a card at its anchor (cards without one keep their CSS place). */
export function place(card) {
  const anchor = card.anchor;
  if (!anchor) return;
  if (!anchor.isConnected) return hide(card);
  if (positioner) return positioner.position(card, state.payload.dir == 'rtl');
  card.style.visibility = 'hidden'; // until the chunk has placed it
  loadPositioner();
}

const marks = []; // beacons: {mark, anchor}

/** A beacon next to its anchor. Its host follows the anchor in the DOM, so Tab goes from the
    field to its beacon, but is absolutely positioned and of no size: it takes no space, and it
    is never a grid or flex item (absolutely positioned children are not). */
export function addMark(mark, anchor) {
  const host = el('ob-mark');
  host.style.cssText = 'position:absolute!important'; // its only child is absolute too: no size
  const entry = { mark, anchor, host };
  mark.hidden = true; // until the chunk places it
  attachRoot(host).append(mark);
  anchor.after(host);
  marks.push(entry);
  reflow();
  loadPositioner(); // a card will likely open here: have the placement ready
  const remove = () => {
    host.remove();
    marks.splice(marks.indexOf(entry) >>> 0, 1);
  };
  onCleanup(remove);
  return remove;
}

function update() {
  frame = 0;
  state.stack.forEach(place);
  if (positioner) marks.forEach((mark) => positioner.placeMark(mark, state.payload.dir == 'rtl'));
}

let frame = 0;
/** Re-places open cards and beacons once per frame: on scroll, resize, and when the anchor or
    the page's content changes size or shape (content above it loaded, a panel opened). */
export const reflow = () => (frame ||= requestAnimationFrame(update));

const watchSize = new ResizeObserver(reflow);
watchSize.observe(document.documentElement);
new MutationObserver(reflow).observe(document.body, { childList: true, subtree: true, attributes: true });
