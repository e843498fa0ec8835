/* A guide's card: close button, title, sanitized body, extra nodes, and its action row. */

import { act } from './actions.js';
import { answered, rememberAnswer } from './answered.js';
import { $, attr, button, deepActive, el, setBody } from './dom.js';
import { readOnly, state } from './state.js';

let ids = 0;

/**
 * @param {object} guide - the guide (title, body) the card shows
 * @param {object} [o]
 * @param {string} [o.tag] - an in-flow element ('section') or 'dialog'; without it a popover
 * @param {string} [o.className] - extra classes
 * @param {string} [o.role] - the popover's role (default dialog)
 * @param {(card) => void} [o.close] - adds a × button that calls it
 * @param {Node[]} [o.content] - nodes after the body
 * @param {Node[]} [o.actions] - buttons in the action row
 * @param {boolean} [o.feedback] - adds "Was this helpful? Yes / No" (unless answered before)
 * @param {boolean} [o.dismissible] - adds "Don't show again"
 */
export function card(guide, o = {}) {
  const strings = state.strings;
  const node = el(o.tag || 'div', 'ob-card ' + (o.className || ''));
  const row = el('div', 'ob-a');
  node.guide = guide;
  if (!o.tag) {
    node.popover = 'manual'; // we decide when it closes (Escape, outside click), not the browser
    node.tabIndex = -1;
    attr(node, 'role', o.role || 'dialog');
  }
  if (o.close) node.append(attr(button('×', () => o.close(node), 'ob-x'), 'aria-label', strings.close));
  if (guide.title) {
    const heading = el('h2', 'ob-t', guide.title);
    heading.id = 'ob' + ++ids;
    attr(node, 'aria-labelledby', heading.id);
    node.append(heading);
  }
  if (guide.body) node.append(setBody(el('div', 'ob-b'), guide));
  node.append(...(o.content || []));
  // Read-only pages (no CSRF token) offer no control that would need a POST; feedback is asked
  // once per guide.
  if (o.feedback && !readOnly() && !answered(guide.id)) row.append(feedbackRow(guide));
  row.append(...(o.actions || []));
  if (o.dismissible && !readOnly()) row.append(button(strings.dismiss, () => dismiss(node), 'ob-btn ob-q'));
  if (row.firstChild) node.append(row);
  return node;
}

function feedbackRow(guide) {
  const strings = state.strings;
  const group = attr(attr(el('span', 'ob-fb', strings.helpful), 'role', 'group'), 'aria-label', strings.helpful);
  const answer = (helpful) => {
    const b = button(strings[helpful ? 'yes' : 'no'], () => {
      act(guide, 'feedback', { helpful });
      rememberAnswer(guide.id);
      group.querySelectorAll('button').forEach((other) => attr(other, 'aria-pressed', (other == yes) == helpful));
    });
    return attr(b, 'aria-pressed', false);
  };
  const yes = answer(true);
  group.append(yes, answer(false));
  return group;
}

/** "Don't show again" (and a banner's or tour's ×): kept on the server, gone on every device.
    Focus, which was on the removed card, goes to its opener, else its anchor (a tooltip's beacon
    went with it), else the first control after the card (a card in a slot), else <main> (made
    focusable with tabindex=-1, which keeps it out of the Tab order): never lost to <body>. */
export function dismiss(node) {
  act(node.guide, 'dismiss');
  const opener = node.returnFocus;
  const place = node.getRootNode().host; // <ob-slot> in the page, or the floating layer at its end
  const next = [...document.querySelectorAll('a[href],button,input,select,textarea,[tabindex="0"]')].find(
    (control) => place.compareDocumentPosition(control) & 4 && control.checkVisibility(),
  );
  node.discard();
  if (deepActive() != document.body) return;
  const main = $('main');
  if (main && !main.hasAttribute('tabindex')) main.tabIndex = -1;
  (opener && opener.isConnected && opener != document.body ? opener : node.anchor || next || main)?.focus();
}
