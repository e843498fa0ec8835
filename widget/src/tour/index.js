/* onboarding_sdk widget, lazy chunk (built to static/onboarding-tour.js): multi-page tours,
   one step at a time. The core import()s it only on pages with a tour and passes its toolkit
   (`kit`), so the chunk shares the page's state and draws cards exactly like the core. */

import { firstStep, isOnThisPage, stepPlacement } from './steps.js';

// Before a step opens, its anchor is scrolled to the middle of the view (smoothly, unless the
// user prefers reduced motion); resolves when scrolling ended (or after 1 s at most).
function reveal(anchor) {
  const rect = anchor.getBoundingClientRect();
  if (rect.top >= 0 && rect.bottom <= innerHeight && rect.left >= 0 && rect.right <= innerWidth) return Promise.resolve();
  const reduced = matchMedia('(prefers-reduced-motion:reduce)').matches;
  anchor.scrollIntoView({ block: 'center', inline: 'nearest', behavior: reduced ? 'instant' : 'smooth' });
  return new Promise((done) => {
    addEventListener('scrollend', done, { once: true, capture: true });
    setTimeout(done, reduced ? 0 : 1e3);
  });
}

export default function runTour(kit, tour) {
  const { state, el, button, card, addFloating, show, hide, waitForAnchor, act, t, safeHref, dismiss, autoOpen } = kit;
  const strings = state.strings;
  const page = state.payload.page;
  const steps = tour.steps || [];
  const here = (step) => isOnThisPage(step, page, location);
  let current = null;

  function go(index, takeFocus) {
    if (current) current.discard();
    const step = steps[index];
    if (!step) return;
    const last = index == steps.length - 1;
    const actions = [];
    const draw = (anchor) => {
      const progress = el('p', 'ob-s', t('step', { n: index + 1, total: steps.length }));
      const guide = { id: tour.id, title: step.title, body: step.body };
      const className = stepPlacement(anchor, here(step));
      current = addFloating(card(guide, { close: dismiss, actions, className, content: [progress] }), hide);
      current.anchor = anchor;
      if (anchor && step.spotlight) {
        // the dimmed page with a cut-out around the anchor, drawn just below the step
        const spot = addFloating(el('div', 'ob-spot'), hide);
        spot.popover = 'manual';
        const discard = current.discard;
        current.discard = () => (discard(), spot.discard());
        current.spot = spot;
      }
      const open = () => current && current.guide == guide && show(current, takeFocus);
      if (anchor) reveal(anchor).then(open);
      else open();
    };
    if (!here(step)) {
      // a step on another page: a link there; that page resumes from the server's `step`
      actions.push(safeHref(el('a', 'ob-btn ob-pri', strings.next), step.url));
      return draw();
    }
    if (index) actions.push(button(strings.back, () => move(index - 1)));
    const forward = () => {
      if (!last) return move(index + 1);
      act(tour, 'complete');
      current.discard();
    };
    actions.push(button(last ? strings.done : strings.next, forward, 'ob-btn ob-pri'));
    // a step whose anchor has not appeared within 5 s is drawn in the middle, without one
    if (step.anchor) waitForAnchor(step.anchor, draw, draw);
    else draw();
  }

  function move(index) {
    const saved = act(tour, 'progress', { step: index });
    const step = steps[index];
    if (here(step)) return go(index, true);
    const url = safeHref(el('a'), step.url).href;
    current.discard();
    if (url) saved.then(() => location.assign(url)); // after the server has the step
  }

  // auto_open: the server grants today's attention budget, then focus moves into the step
  Promise.resolve(tour.auto_open && autoOpen(tour)).then((granted) => go(firstStep(tour), granted));
}
