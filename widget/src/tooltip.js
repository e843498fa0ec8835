/* Tooltips at an anchor (field help, validation, errors, glossary) and the server's field hints. */

import { autoOpen } from './actions.js';
import { card } from './card.js';
import { $, attr, button, deepActive, el, isOpen, listen } from './dom.js';
import { waitForAnchor } from './anchor.js';
import { addFloating, say } from './layer.js';
import { addMark, hide, show } from './popover.js';
import { onCleanup, state } from './state.js';

const HOVER_GRACE = 300; // ms to move the pointer from the anchor onto the card

// Help at a moment of trouble: no "Don't show again", no feedback row (issue 11, item 6).
const TROUBLE = ['validation', 'error'];

export function tooltip(guide, anchor) {
  const help = !TROUBLE.includes(guide.purpose);
  const node = addFloating(card(guide, { close: hide, feedback: help, dismissible: help }), hide);
  node.anchor = anchor;
  node.lightDismiss = true;
  if (guide.purpose == 'validation') return validationHint(guide, node, anchor);
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

// A validation hint comes late and leaves early: never while the user types (what is typed so far
// may still become valid), shown when they leave the field with an invalid value, hidden as
// soon as the value is valid. One message per field: when the browser (a submit's `invalid`
// event) or the host already shows one, the hint joins it as the field's description instead.
function validationHint(guide, node, anchor) {
  const invalid = () => anchor.matches(':invalid');
  const text = guide.title + '. ' + ($('.ob-b', node) || node).textContent;
  listen(anchor, 'input', () => invalid() || (hide(node), describe(anchor, '')));
  listen(anchor, 'blur', () => {
    if (!invalid() || isOpen(node)) return;
    if (hostMessage(anchor)) return describe(anchor, text);
    show(node);
    say(guide.title);
  });
  listen(anchor, 'invalid', () => {
    hide(node); // the browser's bubble (or the host's message) is the one shown now
    describe(anchor, text);
  });
}

/** The text of the messages the host shows for this field (aria-errormessage, aria-describedby), or ''. */
export function hostMessage(field) {
  const ids = [field.getAttribute('aria-errormessage'), field.getAttribute('aria-describedby')].join(' ');
  return ids
    .split(/\s+/)
    .map((id) => id && !id.startsWith('ob-desc') && document.getElementById(id))
    .filter((message) => message && message.checkVisibility())
    .map((message) => message.textContent.trim())
    .join(' ');
}

let descriptions = 0;

/** Adds (or with '' removes) our text to the field's accessible description: a visually hidden
    element beside it (no layout space), referenced from aria-describedby. */
export function describe(field, text) {
  let note = field.obDescription;
  if (!note) {
    if (!text) return;
    note = field.obDescription = el('span', 'ob-desc');
    note.id = 'ob-desc' + ++descriptions;
    const before = field.getAttribute('aria-describedby');
    attr(field, 'aria-describedby', ((before || '') + ' ' + note.id).trim());
    field.after(note);
    onCleanup(() => {
      note.remove();
      field.obDescription = null;
      if (before == null) field.removeAttribute('aria-describedby');
      else attr(field, 'aria-describedby', before);
    });
  }
  note.textContent = text;
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

/** A server-sent hint (the host's own validation failed): a status card at its field, or, when
    the host already shows its own message there, the field's description (one message per field). */
export function serverHint(hint) {
  waitForAnchor(hint.anchor, (anchor) => {
    const shown = hostMessage(anchor);
    if (shown) return shown.includes(hint.text) || describe(anchor, hint.text);
    const node = addFloating(card({}, { close: hide, role: 'status', content: [el('p', 'ob-b', hint.text)] }), hide);
    node.anchor = anchor;
    show(node);
    say(hint.text);
  });
}
