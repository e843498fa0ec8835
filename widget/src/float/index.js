/* onboarding_sdk widget, lazy chunk (built to static/onboarding-float.js): where an anchored card
   goes, with its arrow and the tour's spotlight. The core import()s it when the page first has
   a beacon or an anchored card, so pages without any never pay for the placement code. */

import { placeCard } from '../place.js';

export { serverHint, validationHint } from './hints.js';

const CONTROLS = 'input,select,textarea,button,a[href],[tabindex]:not([tabindex="-1"])';

// Whether the anchor can be seen: not scrolled out of its container or the viewport, nor under
// the host's fixed header. A card or beacon whose anchor is hidden hides with it. Our own nodes
// are looked through (a beacon over a tiny anchor must not hide it).
function visible(anchor, rect) {
  const hits = document.elementsFromPoint((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
  const hit = hits.find((node) => !/^ob-(layer|mark)$/.test(node.localName));
  return !!hit && (anchor.contains(hit) || (hit.localName == 'label' && hit.contains(anchor)));
}

/** A beacon ({mark, anchor, host}) sits on its anchor's top end corner, half outside it; it is
    positioned from its host, which sits (with no size) right after the anchor. */
export function placeMark({ mark, anchor, host }, rtl) {
  const rect = anchor.getBoundingClientRect();
  const base = host.getBoundingClientRect();
  rtl ||= getComputedStyle(anchor).direction == 'rtl';
  mark.style.left = (rtl ? rect.left : rect.right) - base.left + 'px';
  mark.style.top = rect.top - base.top + 'px';
  mark.hidden = !anchor.isConnected || !visible(anchor, rect);
}

/** What a card must not cover, as client rects in the viewport: every control of the page other
    than its anchor (the host's, and those of our cards in the host's slots), on any row, the
    anchor's labels, and the other open cards (the banner, a corner card, a tour step). A panel
    avoids only the controls beside its opener (its form's, or its parent's). */
function obstacles(card, anchor) {
  // a panel (24rem, under its opener) would cover the page anywhere: it avoids its opener's neighbours only
  const scope = card.classList.contains('ob-p') ? anchor.closest('form,fieldset') || anchor.parentElement : document;
  const controls = [...scope.querySelectorAll(CONTROLS), ...(anchor.labels || [])];
  if (scope == document) {
    for (const slot of document.querySelectorAll('ob-slot')) controls.push(...slot.shadowRoot.querySelectorAll(CONTROLS));
    for (const other of card.getRootNode().querySelectorAll('.ob-card:popover-open')) if (other != card) controls.push(other);
  }
  return controls
    .filter((control) => control != anchor && !anchor.contains(control))
    .map((control) => control.getBoundingClientRect())
    .filter((r) => r.width && r.height && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth);
}

/**
 * Places an open card at its anchor (card.anchor) and points its arrow there.
 * @param {HTMLElement} card - an open popover with `anchor` (and `spot`, a tour's spotlight)
 * @param {boolean} rtl - the page's direction: "after the anchor" is then its left
 */
export function position(card, rtl) {
  const anchor = card.anchor;
  const rect = anchor.getBoundingClientRect();
  rtl ||= getComputedStyle(anchor).direction == 'rtl'; // the host's dir="rtl", whatever the locale
  const avoid = obstacles(card, anchor);
  // panels scroll: they may be shortened to fit above or below their opener (say at 200% zoom)
  const minHeight = card.classList.contains('ob-p') ? 120 : 0;
  card.style.maxHeight = '';
  const at = placeCard(
    rect,
    { width: card.offsetWidth, height: card.offsetHeight },
    { width: document.documentElement.clientWidth, height: innerHeight },
    { rtl, avoid, minHeight },
  );
  card.style.maxHeight = at.maxHeight ? at.maxHeight + 'px' : '';
  if (!card.arrow) {
    card.arrow = document.createElement('i');
    card.arrow.className = 'ob-arrow';
    card.append(card.arrow);
  }
  Object.assign(card.style, { left: at.left + 'px', top: at.top + 'px' });
  card.style.setProperty('--ob-arrow', at.arrow + 'px');
  card.dataset.side = at.side;
  card.dataset.covers = at.covers; // 0 unless no spot tried was clear (a crowded page, a small screen)
  card.style.visibility = visible(anchor, rect) ? '' : 'hidden';
  if (card.spot) {
    const pad = 6; // the cut-out is a little larger than the anchor
    Object.assign(card.spot.style, {
      left: rect.left - pad + 'px',
      top: rect.top - pad + 'px',
      width: rect.width + 2 * pad + 'px',
      height: rect.height + 2 * pad + 'px',
    });
  }
}

const FOCUSABLE = 'a[href],button,input,select,textarea,summary,[tabindex="0"]';

/**
 * Keeps Tab inside an open card that took focus (popover.js trap): from its last control Tab goes
 * to the first, from the first (or the card itself) Shift+Tab to the last. Focus the user put
 * elsewhere with the pointer is left alone, and so is a tour step that waits for a click on its
 * anchor (`free`: the keyboard user must be able to reach the anchor).
 * @param {KeyboardEvent} event - a Tab keydown
 * @param {HTMLElement} card - the open card on top
 */
export function trap(event, card) {
  const active = card.getRootNode().activeElement;
  if (card.free || !card.contains(active)) return;
  const controls = [...card.querySelectorAll(FOCUSABLE)].filter((c) => !c.disabled && c.checkVisibility());
  const [first, last] = [controls[0] || card, controls.at(-1) || card];
  const edge = event.shiftKey ? active == first || active == card : active == last;
  if (edge) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}
