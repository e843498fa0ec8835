/* Small DOM helpers. Text always goes in through textContent; only a guide's body, which the
   server sanitized, is ever inserted as HTML (see setBody). */

import { state, onCleanup } from './state.js';

export const $ = (selector, root = document) => root.querySelector(selector);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

export function attr(node, name, value) {
  node.setAttribute(name, value);
  return node;
}

export function button(text, onClick, className = 'ob-btn') {
  const b = el('button', className, text);
  b.type = 'button';
  b.onclick = onClick;
  return b;
}

/** The server sanitized guide bodies (docs/widget-contract.md, GUIDE): the one HTML sink. */
export function setBody(node, guide) {
  node.innerHTML = guide.body || '';
  return node;
}

/** addEventListener, removed again when the next payload is drawn. */
export function listen(target, type, handler, options) {
  target.addEventListener(type, handler, options);
  onCleanup(() => target.removeEventListener(type, handler, options));
}

/** Sets a link's href only for http(s) or relative URLs (never javascript: or data:). */
export function safeHref(link, url) {
  try {
    const parsed = new URL(url, location);
    if (/^https?:$/.test(parsed.protocol)) link.href = parsed;
  } catch {
    /* not a URL: the link stays inert */
  }
  return link;
}

/** The focused element, looking inside shadow roots (ours hold the cards' buttons). */
export function deepActive() {
  let active = document.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

export const isOpen = (card) => card.matches(':popover-open');

/** A UI string with {placeholders} filled in; a missing string shows its key. */
export const t = (key, vars = {}) => (state.strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? '');
