/* Tooltips at an anchor (field help, validation, errors, glossary) and the server's field hints. */

import { autoOpen } from './actions.js';
import { card } from './card.js';
import { $, attr, button, deepActive, isOpen, listen } from './dom.js';
import { waitForAnchor } from './anchor.js';
import { addFloating, say } from './layer.js';
import { addMark, hide, loadPositioner, show } from './popover.js';
import { kit } from './tours.js';
import { onCleanup, state } from './state.js';

const HOVER_GRACE = 300; // ms to move the pointer from the anchor onto the card

// Help at a moment of trouble: no "Don't show again", no feedback row (issue 11, item 6).
const TROUBLE = ['validation', 'error'];

export function tooltip(guide, anchor) {
  const help = !TROUBLE.includes(guide.purpose);
  const node = addFloating(card(guide, { close: hide, feedback: help, dismissible: help }), hide);
  node.anchor = anchor;
  node.lightDismiss = true;
  // validation hints live in the float chunk (float/hints.js), loaded with the placement
  if (guide.purpose == 'validation') return loadPositioner().then((chunk) => chunk && chunk.validationHint(kit, guide, node, anchor));
  let timer;
  node.keepOpen = () => clearTimeout(timer);
  addBeacon(guide, node, anchor);
  const open = () => {
    clearTimeout(timer);
    if (!isOpen(node)) show(node);
  };
  const close = () => {
    timer = setTimeout(() => node.contains(deepActive()) || hide(node), HOVER_GRACE);
  };
  listen(anchor, 'mouseenter', open);
  listen(anchor, 'mouseleave', close);
  listen(node, 'mouseenter', open);
  listen(node, 'mouseleave', close);
  listen(anchor, 'focusin', () => {
    if (!node.isConnected) return; // dismissed: focus came back to the anchor
    if (!isOpen(node)) say(guide.title + '. ' + ($('.ob-b', node) || node).textContent);
    open();
  });
  listen(anchor, 'focusout', close);
  if (guide.auto_open) autoOpen(guide).then((granted) => granted && show(node, true));
}

// The beacon: a small button after the anchor that toggles the tooltip (keyboard and touch).
// Open from the beacon (holding focus) it closes; else it opens with focus, even when hover or the
// anchor's focus showed it a moment ago, and the anchor's pending close is cancelled: the same
// key press always does the same thing, however soon after leaving the anchor.
function addBeacon(guide, node, anchor) {
  const toggle = () => (node.keepOpen(), node.returnFocus ? hide(node) : (hide(node), show(node, true)));
  node.beacon = attr(button('', toggle, 'ob-bc'), 'aria-label', state.strings.help + ': ' + guide.title);
  attr(node.beacon, 'aria-expanded', false);
  const removeMark = addMark(node.beacon, anchor); // in the fixed root: no layout space
  const discardCard = node.discard;
  node.discard = () => {
    discardCard();
    removeMark();
  };
  onCleanup(node.discard);
}

/** A server-sent hint (the host's own validation failed): drawn by the float chunk (float/hints.js)
    once its field exists. */
export const serverHint = (hint) =>
  waitForAnchor(hint.anchor, (anchor) => loadPositioner().then((chunk) => chunk && chunk.serverHint(kit, hint, anchor)));
