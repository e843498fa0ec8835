/* onboarding_sdk widget, lazy chunk: multi-page tours, one step at a time.
   Loaded by onboarding.js with import() only when the page has a tour; `o` is the core's toolkit. */
export default (o, g) => {
  const { P, S, el, btn, card, top, show, anchor, act, t, href, dismiss, auto } = o, steps = g.steps || [];
  let c;
  const here = s => s.endpoint ? s.endpoint == P.page : !s.url || new URL(s.url, location).pathname == location.pathname;
  const go = (i, f) => {
    if (c) c.rm();
    const s = steps[i], last = i == steps.length - 1;
    if (!s) return;
    const acts = [], draw = a => {
      c = top(card({ id: g.id, title: s.title, body: s.body },
        { x: dismiss, acts, cls: a ? '' : here(s) ? 'ob-center' : 'ob-corner', add: [el('p', 'ob-s', t('step', { n: i + 1, total: steps.length }))] }));
      c.a = a; show(c, f);
    };
    if (!here(s)) return acts.push(href(el('a', 'ob-btn ob-pri', S.next), s.url)), draw();  // resume on its own page
    if (i) acts.push(btn(S.back, () => move(i - 1)));
    acts.push(btn(last ? S.done : S.next, () => last ? (act(g, 'complete'), c.rm()) : move(i + 1), 'ob-btn ob-pri'));
    s.anchor ? anchor(s.anchor, draw, draw, 3e3) : draw();
  };
  const move = i => {
    const p = act(g, 'progress', { step: i }), s = steps[i];
    if (here(s)) return go(i, 1);
    const u = href(el('a'), s.url).href;
    c.rm(); if (u) p.then(() => location.assign(u));   // the server resumes the tour there
  };
  // auto_open: the server grants today's attention budget (POST shown {auto: true}), then focus moves in
  Promise.resolve(g.auto_open && auto(g)).then(f => go(Math.max(0, Math.min(g.step || 0, steps.length - 1)), f));
};
