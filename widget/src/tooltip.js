/* Tooltips at an anchor (field help, validation, errors, glossary) and the server's field hints. */

import { autoOpen } from './actions.js';
import { card } from './card.js';
import { $, attr, button, deepActive, el, isOpen, listen } from './dom.js';
import { waitForAnchor } from './anchor.js';
import { addFloating, attachRoot, say } from './layer.js';
import { hide, show } from './popover.js';
import { onCleanup, state } from './state.js';

const HOVER_GRACE = 300; // ms to move the pointer from the anchor onto the card

export function tooltip(guide, anchor) {
  const node = addFloating(card(guide, { close: hide, feedback: true, dismissible: true }), hide);
  node.anchor = anchor;
  node.lightDismiss = true;
  if (guide.purpose == 'validation') {
    // Shown while the field is :invalid after input or a submit attempt, hidden once it is valid.
    const check = () => (anchor.matches(':invalid') ? isOpen(node) || (show(node), say(guide.title)) : hide(node));
    listen(anchor, 'input', check);
    listen(anchor, 'invalid', check);
    return;
  }
  addBeacon(guide, node, anchor);
  let timer;
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
    if (!isOpen(node)) say(guide.title + '. ' + ($('.ob-b', node) || node).textContent);
    open();
  });
  listen(anchor, 'focusout', close);
  if (guide.auto_open) autoOpen(guide).then((granted) => granted && show(node, true));
}

// The beacon: a small button after the anchor that toggles the tooltip (keyboard and touch).
function addBeacon(guide, node, anchor) {
  const host = el('span', 'ob-bh');
  const toggle = () => (isOpen(node) ? hide(node) : show(node, true));
  node.beacon = attr(button('', toggle, 'ob-bc'), 'aria-label', state.strings.help + ': ' + guide.title);
  attr(node.beacon, 'aria-expanded', false);
  attachRoot(host).append(node.beacon);
  anchor.after(host);
  const discardCard = node.discard;
  node.discard = () => {
    discardCard();
    host.remove();
  };
  onCleanup(node.discard);
}

/** A server-sent hint (the host's own validation failed): a status card at its field. */
export function serverHint(hint) {
  waitForAnchor(hint.anchor, (anchor) => {
    const node = addFloating(card({}, { close: hide, role: 'status', content: [el('p', 'ob-b', hint.text)] }), hide);
    node.anchor = anchor;
    show(node);
    say(hint.text);
  });
}
