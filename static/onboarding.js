/* onboarding_sdk widget: draws the guides the server inlined in #onboarding-data.
   Contract: docs/widget-contract.md. Hand-written, no build step; tours live in onboarding-tour.js. */
(() => {
'use strict';
const D = document, W = window, BASE = (D.currentScript || {}).src || location.href;
const $ = (s, r = D) => r.querySelector(s), enc = encodeURIComponent;
let P, S, G, R, live, SH, seenIds, stack = [], drawn = [], hosts = new Set(), n = 0;

// ---- small DOM helpers (text always via textContent; only guide.body is HTML) ----
const el = (t, c, x) => { const e = D.createElement(t); if (c) e.className = c; if (x != null) e.textContent = x; return e };
const attr = (e, k, v) => (e.setAttribute(k, v), e);
const btn = (x, f, c = 'ob-btn') => { const b = el('button', c, x); b.type = 'button'; b.onclick = f; return b };
const on = (e, t, f, o) => { e.addEventListener(t, f, o); drawn.push(() => e.removeEventListener(t, f, o)) };
const t = (k, v = {}) => (S[k] || k).replace(/\{(\w+)\}/g, (_, x) => v[x] ?? '');
const href = (a, u) => { try { const x = new URL(u, location); if (/^https?:$/.test(x.protocol)) a.href = x } catch {} return a };
const active = () => { let e = D.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement; return e };
const isOpen = c => c.matches(':popover-open');
const say = x => { if (live) { live.textContent = ''; setTimeout(() => live.textContent = x, 60) } };

// ---- API: every POST goes through a localStorage queue, retried with backoff; never throws ----
const api = (m, p, b) => fetch(P.api + p, { method: m, credentials: 'same-origin', keepalive: !!b,
  headers: b ? { 'Content-Type': 'application/json', [P.csrf.header]: P.csrf.token } : {}, body: b && JSON.stringify(b) });
const get = p => api('GET', p).then(r => r.ok ? r.json() : 0).catch(() => 0);
const Q = () => { try { return JSON.parse(localStorage.obq || '[]') } catch { return [] } };
const setQ = q => { try { localStorage.obq = JSON.stringify(q.slice(-50)) } catch {} };
let busy, wait = 1e3;
const flush = () => busy || (busy = drain().finally(() => busy = 0));   // resolves once the queue is sent or parked
async function drain() {
  if (P) {
    for (let q; (q = Q()).length;) {
      let r = 0;
      try { r = await api('POST', q[0][0], q[0][1]) } catch {}
      if (!r || r.status > 499 || r.status == 429 || r.status == 408) { setTimeout(() => flush(), wait); wait = Math.min(wait * 2, 6e4); break }
      wait = 1e3; q = Q(); q.shift(); setQ(q);
    }
  }
}
const post = (p, b = {}) => { setQ([...Q(), [p, b]]); return flush() };
const act = (g, a, b) => post('/guides/' + enc(g.id) + '/' + a, b);
const seen = g => { if (g && g.id && !seenIds.has(g.id)) { seenIds.add(g.id); act(g, 'shown') } };
// auto_open: opens by itself only if the server grants today's attention budget
const auto = g => api('POST', '/guides/' + enc(g.id) + '/shown', { auto: true }).then(r => r.json())
  .then(x => x.auto_open && seenIds.add(g.id)).catch(() => 0);

// ---- shadow roots: styles cannot leak in or out; theme via custom properties ----
const dark = () => { const m = (P.theme || {}).mode; return m == 'dark' || m != 'light' && matchMedia('(prefers-color-scheme:dark)').matches };
function theme(h) {
  h.dir = P.dir || 'ltr'; h.lang = P.locale || ''; h.toggleAttribute('data-ob-dark', dark());
  for (const [k, v] of Object.entries((P.theme || {}).vars || {})) if (k.startsWith('--ob-')) h.style.setProperty(k, v);
}
function shadow(h) {
  if (!SH) {
    SH = new CSSStyleSheet();
    const l = [...D.styleSheets].find(s => /onboarding\.css/.test(s.href));
    try { SH.replaceSync([...l.cssRules].map(r => r.cssText).join('\n')) }
    catch { fetch(new URL('onboarding.css', BASE)).then(r => r.text()).then(x => SH.replace(x)).catch(() => {}) }
  }
  const s = h.attachShadow({ mode: 'open' }); s.adoptedStyleSheets = [SH]; hosts.add(h); theme(h); return s;
}
// floating guides live in one shadow root at the end of <body> and render in the top layer
function top(c) {
  if (!R) { const h = el('div'); D.body.append(h); R = shadow(h); R.append(live = attr(el('div', 'ob-sr'), 'aria-live', 'polite')) }
  R.append(c); c.rm = () => { hide(c); c.remove() }; drawn.push(c.rm); return c;
}
// in-flow guides (banner, footer help, starter slot) get a shadow host of their own
// replaces the server's no-JS copy (#ob-footer-ID, #ob-starter-ID)
const srv = (k, g) => D.getElementById('ob-' + k + '-' + g.id);
function inflow(where, g, o, first) {
  const h = el('div'), c = card(g, { tag: 'section', ...o }), s = srv('footer', g) || srv('starter', g);
  shadow(h).append(c); s ? s.replaceWith(h) : first ? where.prepend(h) : where.append(h);
  c.rm = () => h.remove(); drawn.push(c.rm); seen(g); return c;
}

// ---- a guide's card: close, title, sanitized body, extra nodes, actions ----
function card(g, o = {}) {
  const c = el(o.tag || 'div', 'ob-card ' + (o.cls || '')), id = 'ob' + ++n, a = el('div', 'ob-a');
  c.g = g;
  if (!o.tag) { c.popover = 'manual'; c.tabIndex = -1; attr(c, 'role', o.role || 'dialog') }
  if (o.x) c.append(attr(btn('×', () => o.x(c), 'ob-x'), 'aria-label', S.close));
  if (g.title) { const h = el('h2', 'ob-t', g.title); h.id = id; attr(c, 'aria-labelledby', id); c.append(h) }
  if (g.body) { const b = el('div', 'ob-b'); b.innerHTML = g.body; c.append(b) }
  c.append(...(o.add || []));
  if (o.fb) {
    const f = attr(attr(el('span', 'ob-fb', S.helpful), 'role', 'group'), 'aria-label', S.helpful);
    const mk = v => attr(btn(S[v ? 'yes' : 'no'], () => {  // x is the "yes" button
      act(g, 'feedback', { helpful: v }); f.querySelectorAll('button').forEach(b => attr(b, 'aria-pressed', (b == x) == v)) }), 'aria-pressed', false);
    const x = mk(true); f.append(x, mk(false)); a.append(f);
  }
  a.append(...(o.acts || []));
  if (o.dis) a.append(btn(S.dismiss, () => dismiss(c), 'ob-btn ob-q'));
  if (a.firstChild) c.append(a);
  return c;
}
const dismiss = c => { act(c.g, 'dismiss'); c.rm() };

// ---- open / close / position floating cards ----
function show(c, f) {
  if (!c.isConnected || isOpen(c)) return;
  const r = active(); c.showPopover(); stack.push(c); place(c); seen(c.g);
  if (c.b) attr(c.b, 'aria-expanded', true);
  if (f) { c.ret = r; c.focus() }
}
function hide(c) {
  if (!isOpen(c)) return;
  const had = c.contains(active()); had && active().blur(); c.hidePopover(); stack = stack.filter(x => x != c);
  if (c.b) attr(c.b, 'aria-expanded', false);
  if (c.ret && (had || active() == D.body)) c.ret.focus();
  c.ret = 0;
}
function place(c) {
  const a = c.a; if (!a) return;
  if (!a.isConnected) return hide(c);
  const r = a.getBoundingClientRect(), w = c.offsetWidth, h = c.offsetHeight, m = 8,
    vw = D.documentElement.clientWidth, vh = innerHeight;
  let y = r.bottom + m; if (y + h > vh - m && r.top - h - m > m) y = r.top - h - m; // flip above
  const x = P.dir == 'rtl' ? r.right - w : r.left;                                   // shift into view
  c.style.left = Math.max(m, Math.min(x, vw - w - m)) + 'px';
  c.style.top = Math.max(m, Math.min(y, vh - h - m)) + 'px';
}
let raf; const reflow = () => raf = raf || requestAnimationFrame(() => { raf = 0; stack.forEach(place) });

// wait for an anchor that may appear later; a missing one is skipped quietly
function anchor(k, f, no, ms = 1e4) {
  const s = '[data-onboarding="' + CSS.escape(k || '') + '"]';
  let e = $(s); if (e) return f(e);
  const mo = new MutationObserver(() => { if (e = $(s)) { stop(); f(e) } }),
    tm = setTimeout(() => { stop(); no && no() }, ms), stop = () => { mo.disconnect(); clearTimeout(tm) };
  mo.observe(D.body, { childList: true, subtree: true }); drawn.push(stop);
}

// ---- kinds ----
function tip(g, a) {
  const c = top(card(g, { x: hide, fb: 1, dis: 1 }));
  c.a = a; c.ld = 1;
  if (g.purpose == 'validation') {
    const chk = () => a.matches(':invalid') ? isOpen(c) || (show(c), say(g.title)) : hide(c);
    on(a, 'input', chk); on(a, 'invalid', chk); return;
  }
  const h = el('span', 'ob-bh'), rm = c.rm;
  c.b = attr(attr(btn('', () => isOpen(c) ? hide(c) : show(c, 1), 'ob-bc'), 'aria-label', S.help + ': ' + g.title), 'aria-expanded', false);
  shadow(h).append(c.b); a.after(h); c.rm = () => { rm(); h.remove() }; drawn.push(c.rm);
  let tm;
  const open = () => { clearTimeout(tm); isOpen(c) || show(c) }, close = () => { tm = setTimeout(() => c.contains(active()) || hide(c), 300) };
  on(a, 'mouseenter', open); on(a, 'mouseleave', close); on(c, 'mouseenter', open); on(c, 'mouseleave', close);
  on(a, 'focusin', () => { isOpen(c) || say(g.title + '. ' + ($('.ob-b', c) || c).textContent); open() }); on(a, 'focusout', close);
  if (g.auto_open) auto(g).then(f => f && show(c, 1));
}
function hint(x) {
  anchor(x.anchor, a => { const c = top(card({}, { x: hide, role: 'status', add: [el('p', 'ob-b', x.text)] })); c.a = a; show(c); say(x.text) });
}
async function panel(k, from, f = 1) {
  const old = R && $('.ob-' + k, R);
  R && R.querySelectorAll('.ob-p').forEach(x => x.rm());   // one panel at a time; a second click closes it
  if (old && from && old.a == from) return;
  let g = { title: S[k] }, add = [], u;
  if (k == 'tips') {
    u = P.tips_url;
    add = G.filter(x => x.kind == 'faq').concat(G.filter(x => x.kind == 'advanced_tip')).map(x => {
      const d = el('details', 'ob-d'), b = el('div', 'ob-b'); b.innerHTML = x.body || '';
      d.append(el('summary', 'ob-d', x.title), b); d.ontoggle = () => d.open && seen(x); return d;
    });
  } else if (k == 'changelog') {
    const cl = P.changelog || {}; u = cl.url; g.title = S.whats_new;
    add = (await news()).map(x => {
      const d = el('article', 'ob-e'), b = el('div', 'ob-b'); b.innerHTML = x.body || '';
      d.append(el('h3', 'ob-t', x.title), el('p', 'ob-s', [x.version, x.date].filter(Boolean).join(' · ')), b); return d;
    });
    if (cl.unread) { post('/changelog/read'); cl.unread = 0; badges() }
  } else if (k == 'checklist') {
    const c = G.find(x => x.kind == k); if (!c) return;
    const it = c.items || [], d = it.filter(i => i.done).length, p = el('progress');
    g = { ...c, title: c.title || S.checklist }; p.max = it.length || 1; p.value = d; attr(p, 'aria-label', S.checklist);
    const ul = el('ul', 'ob-l');
    for (const i of it) {
      const li = el('li'), l = el('label'), b = el('input');
      b.type = 'checkbox'; b.disabled = 1; b.checked = i.done; l.append(b, ' ' + i.title); li.append(l); ul.append(li);
    }
    add = [el('p', 'ob-s', d + ' / ' + it.length), p, ul];
    if (it.length && d == it.length) act(c, 'complete');
  } else return;
  if (u) add.push(href(el('a', 'ob-k', S.more || g.title), u));
  const c = top(card(g, { x: hide, cls: 'ob-p ob-' + k + (from ? '' : ' ob-corner'), add }));
  c.a = from; c.ld = 1; show(c, f);
}
const news = async () => { const es = G.filter(x => x.kind == 'changelog'); return es.length ? es : ((await get('/changelog')) || {}).entries || [] };
function badges() {
  D.querySelectorAll('.ob-badge,.ob-visually-hidden').forEach(b => b.remove());
  const c = P.changelog || {}, k = c.unread;
  if (k > 0 && c.level != 'silent') D.querySelectorAll('[data-onboarding-open=changelog]').forEach(x => {
    const b = el('span', 'ob-badge'); b.append(attr(el('span', 0, k), 'aria-hidden', true), el('span', 'ob-sr', t('new_items', { n: k }))); x.append(b);
  });
}
const tour = g => import(new URL('onboarding-tour.js', BASE))
  .then(m => m.default({ P, S, el, btn, attr, card, top, show, anchor, act, t, href, dismiss, auto }, g)).catch(() => {});

// ---- draw a payload (first paint, or a single-page-app navigation) ----
function start(p) {
  drawn.splice(0).forEach(f => { try { f() } catch {} });
  stack = []; P = p; S = p.strings || {}; seenIds = new Set();
  G = p.guides || [];
  hosts.forEach(h => h.isConnected ? theme(h) : hosts.delete(h));
  const opener = k => $('[data-onboarding-open="' + k + '"]');
  for (const g of G) {
    const k = g.kind;
    if (k == 'tooltip' && g.purpose != 'confirm') anchor(g.anchor, a => tip(g, a));
    else if (k == 'banner') { inflow(D.body, g, { x: dismiss, cls: 'ob-ban' }, 1); say(g.title) }
    else if (k == 'footer_help') inflow($('[data-onboarding-footer]') || $('main') || D.body, g, { fb: 1, cls: 'ob-foot' });
    else if (k == 'starter_guide') {
      const o = { fb: 1, dis: 1, add: g.url ? [href(el('a', 'ob-k', S.starter), g.url)] : [] }, s = $('[data-onboarding-starter]') || srv('starter', g);
      if (s) inflow(s, g, o); else show(top(card(g, { ...o, x: hide, cls: 'ob-corner' })), g.auto_open);
    } else if (k == 'tour') tour(g);
    else if (g.auto_open && /^(advanced_tip|faq|checklist)$/.test(k)) { const q = k == 'checklist' ? k : 'tips'; auto(g).then(f => f && panel(q, opener(q))) }
  }
  (p.hints || []).forEach(hint);
  badges();
  const cl = p.changelog || {};
  if (cl.unread > 0 && cl.level != 'silent') {
    say(t('new_items', { n: cl.unread }));
    if (cl.level == 'popup') news().then(es => { const e = es.find(x => x.level == 'popup' && !x.read);
      e && auto(e).then(f => f && panel('changelog', opener('changelog'))) });
  }
  flush();
}

// ---- page-wide listeners (installed once) ----
D.addEventListener('click', e => {
  const x = e.target.closest && e.target.closest('[data-onboarding-open],[data-onboarding-confirm]');
  if (!x || !P || x.obOk) return;
  e.preventDefault();
  if (x.dataset.onboardingOpen) return panel(x.dataset.onboardingOpen, x);
  e.stopImmediatePropagation();   // a confirmation: the click goes through only after "confirm"
  const id = x.dataset.onboardingConfirm, g = G.find(y => y.id == id && y.kind == 'tooltip') || { title: id };
  const d = top(card(g, { tag: 'dialog', cls: 'ob-m', acts: [
    btn(S.cancel, () => d.close()),
    btn(S.confirm, () => { d.ok = 1; d.close() }, 'ob-btn ob-pri')] }));
  d.onclose = () => { d.remove(); x.focus(); if (d.ok) { x.obOk = 1; x.click(); x.obOk = 0 } };
  d.showModal(); seen(g.id && g);
}, true);
// a click outside closes panels and tooltips (not the tour, the starter card or hints)
D.addEventListener('pointerdown', e => { const p = e.composedPath(); stack.forEach(c => c.ld && ![c, c.a, c.b].some(x => p.includes(x)) && hide(c)) }, true);
D.addEventListener('keydown', e => { if (e.key == 'Escape' && stack.length) { hide(stack.at(-1)); e.preventDefault() } });
addEventListener('scroll', reflow, true); addEventListener('resize', reflow); addEventListener('online', flush);
matchMedia('(prefers-color-scheme:dark)').addEventListener('change', () => hosts.forEach(theme));
let path = location.pathname, gen = 0;
const nav = async () => {
  if (location.pathname == path || !P) return;
  const my = ++gen, p = await get('/guides?path=' + enc(path = location.pathname));
  if (p && my == gen) start(p);
};
const push = history.pushState;
history.pushState = function () { const r = push.apply(this, arguments); nav(); return r };
addEventListener('popstate', nav);
W.onboarding = { track: name => post('/events', { name }), open: k => panel(k, 0) };
try { start(JSON.parse($('#onboarding-data').textContent)) } catch (e) { console.warn('onboarding:', e) }
})();
