/* Opening, closing and positioning floating cards (popovers in the top layer). */

import { attr, deepActive, isOpen } from './dom.js';
import { placeCard } from './place.js';
import { seen } from './actions.js';
import { state } from './state.js';

/** Opens a card; with takeFocus it moves focus in and gives it back when it closes. */
export function show(card, takeFocus) {
  if (!card.isConnected || isOpen(card)) return;
  const before = deepActive();
  card.showPopover();
  state.stack.push(card);
  place(card);
  seen(card.guide);
  if (card.beacon) attr(card.beacon, 'aria-expanded', true);
  if (takeFocus) {
    card.returnFocus = before;
    card.focus();
  }
}

export function hide(card) {
  if (!isOpen(card)) return;
  const hadFocus = card.contains(deepActive());
  if (hadFocus) deepActive().blur();
  card.hidePopover();
  state.stack = state.stack.filter((open) => open != card);
  if (card.beacon) attr(card.beacon, 'aria-expanded', false);
  // Focus goes back where it was, unless the user has since moved it somewhere else.
  if (card.returnFocus && (hadFocus || deepActive() == document.body)) card.returnFocus.focus();
  card.returnFocus = null;
}

/** Positions a card at its anchor (cards without one keep their CSS corner or centre). */
export function place(card) {
  const anchor = card.anchor;
  if (!anchor) return;
  if (!anchor.isConnected) return hide(card);
  const { left, top } = placeCard(
    anchor.getBoundingClientRect(),
    { width: card.offsetWidth, height: card.offsetHeight },
    { width: document.documentElement.clientWidth, height: innerHeight },
    state.payload.dir == 'rtl',
  );
  card.style.left = left + 'px';
  card.style.top = top + 'px';
}

let frame = 0;
/** Re-places open cards once per frame, on scroll and resize. */
export function reflow() {
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    state.stack.forEach(place);
  });
}
