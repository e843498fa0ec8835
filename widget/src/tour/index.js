/* onboarding_sdk widget, lazy chunk (built to static/onboarding-tour.js): multi-page tours,
   one step at a time. The core import()s it only on pages with a tour and passes its toolkit
   (`kit`), so the chunk shares the page's state and draws cards exactly like the core. */

import { firstStep, isOnThisPage, stepPlacement } from './steps.js';

const ANCHOR_WAIT = 3e3; // a step whose anchor has not appeared by then is drawn without one

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
      show(current, takeFocus);
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
    if (step.anchor) waitForAnchor(step.anchor, draw, draw, ANCHOR_WAIT);
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
