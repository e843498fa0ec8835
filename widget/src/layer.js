/* Where the widget draws: shadow roots (host styles cannot leak in, ours cannot leak out),
   one fixed, zero-size root at the end of <body> for floating cards (shown in the top layer as
   popovers) and beacons, and a live region for announcements. Nothing here takes layout space
   in the host's page, except inline cards in the slots the host marked (slots.js). */

import { $, attr, el } from './dom.js';
import { BASE, onCleanup, state } from './state.js';

let sheet = null; // one constructed stylesheet, adopted by every shadow root
let root = null; // the floating cards' shadow root
let live = null; // the aria-live region
const hosts = new Set();

export const widgetRoot = () => root;

/** Dark or light: the theme's mode; for `auto` the host's declared color-scheme (its root's
    computed color-scheme or <meta name=color-scheme>), the OS only when the host allows both,
    and the page's own background when it declares nothing (browsers draw such pages light). */
function isDark() {
  const mode = (state.payload.theme || {}).mode;
  if (mode == 'dark' || mode == 'light') return mode == 'dark';
  const meta = $('meta[name=color-scheme]');
  const declared = getComputedStyle(document.documentElement).colorScheme + (meta && meta.content);
  const light = /light/.test(declared);
  if (/dark/.test(declared)) return !light || matchMedia('(prefers-color-scheme:dark)').matches;
  for (const node of light ? [] : [document.body, document.documentElement]) {
    const [r, g, b, alpha = 1] = getComputedStyle(node).backgroundColor.match(/[\d.]+/g);
    if (+alpha) return r * 0.3 + g * 0.59 + b * 0.11 < 128;
  }
  return false;
}

export function applyTheme(host) {
  const { payload } = state;
  host.dir = payload.dir || 'ltr';
  host.lang = payload.locale || '';
  host.toggleAttribute('data-ob-dark', isDark());
  for (const [name, value] of Object.entries((payload.theme || {}).vars || {})) {
    if (name.startsWith('--ob-')) host.style.setProperty(name, value); // only our own properties
  }
}

/** Re-themes every live host (a new payload, or the system's colour scheme changed). */
export function rethemeAll() {
  hosts.forEach((host) => (host.isConnected ? applyTheme(host) : hosts.delete(host)));
}

// The page's own <link> to onboarding.css is read through the CSSOM (no second download, and
// no inline <style>, which a strict CSP forbids); without it the sheet is fetched beside us.
function widgetSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    const link = [...document.styleSheets].find((s) => /onboarding\.css/.test(s.href));
    try {
      sheet.replaceSync([...link.cssRules].map((rule) => rule.cssText).join('\n'));
    } catch {
      fetch(new URL('onboarding.css', BASE))
        .then((response) => response.text())
        .then((css) => sheet.replace(css))
        .catch(() => {});
    }
  }
  return sheet;
}

export function attachRoot(host) {
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.adoptedStyleSheets = [widgetSheet()];
  hosts.add(host);
  applyTheme(host);
  return shadow;
}

// A fixed box of no size (its children are popovers or fixed too; an inline, important
// position: the host's CSS cannot put it back in the flow, so it is never a grid or flex item);
// its own element name, so the host's `div` rules do not match it.
export function floatingRoot() {
  if (!root) {
    const host = el('ob-layer');
    host.style.cssText = 'position:fixed!important;top:0;left:0;z-index:2147483646';
    document.body.append(host);
    root = attachRoot(host);
    root.append((live = attr(el('div', 'ob-sr'), 'aria-live', 'polite')));
  }
  return root;
}

/** Adds a floating card to the shared root; card.discard() closes and removes it. */
export function addFloating(card, hide) {
  floatingRoot().append(card);
  card.discard = () => {
    hide(card);
    card.remove();
  };
  onCleanup(card.discard);
  return card;
}

/** Announces text to screen readers (cleared first, so the same text is read again). The region
    exists from the first payload on (core.js start()): one created with its text is not read. */
export function say(text) {
  live.textContent = '';
  setTimeout(() => (live.textContent = text), 60);
}

/** The server's no-JavaScript copy of a guide (#ob-footer-ID, #ob-starter-ID), if any. */
export const serverCopy = (kind, guide) => document.getElementById('ob-' + kind + '-' + guide.id);

/** Draws a card in a slot (slots.js), in its own shadow host: in place of the server's copy,
    else at the end of `where`. */
export function addInFlow(where, card, guide) {
  const host = el('ob-slot'); // our own element name: the host's `div` rules do not match it
  const copy = serverCopy('footer', guide) || serverCopy('starter', guide);
  attachRoot(host).append(card);
  if (copy) copy.replaceWith(host);
  else where.append(host);
  card.discard = () => host.remove();
  onCleanup(card.discard);
  return card;
}
