/* onboarding_sdk widget, lazy chunk (built to static/onboarding-tour.js): multi-page tours,
   one step at a time: "2 of 3", Back and Next, × and Escape dismiss (kept on the server),
   "Remind me later", steps that advance on a click on their anchor (advance_on), and replays
   started from the resource centre (memory.js). The core import()s it only on pages with a
   tour (or a replay) and passes its toolkit (`kit`), so the chunk shares the page's state and
   draws cards exactly like the core. */

import { keepReplay, laterToday, remindLater, replayOf } from './memory.js';
import { firstStep, isOnThisPage, stepPlacement } from './steps.js';

const running = {}; // tour id -> {end}: the tours drawn on this page

// A step opens at once; if its anchor is out of view, the anchor is scrolled to the middle of the
// view (smoothly, unless the user prefers reduced motion) and the open step follows it (the core
// re-places open cards on every scroll), instead of waiting the ~0.5 s the scroll takes.
function reveal(anchor) {
  const rect = anchor.getBoundingClientRect();
  if (rect.top >= 0 && rect.bottom <= innerHeight && rect.left >= 0 && rect.right <= innerWidth) return;
  const reduced = matchMedia('(prefers-reduced-motion:reduce)').matches;
  anchor.scrollIntoView({ block: 'center', inline: 'nearest', behavior: reduced ? 'instant' : 'smooth' });
}

export default function runTour(kit, tour) {
  const { state, el, button, attr, card, addFloating, show, hide, waitForAnchor, act, t, safeHref, dismiss, autoOpen } = kit;
  const strings = state.strings;
  const page = state.payload.page;
  const steps = tour.steps || [];
  const here = (step) => isOnThisPage(step, page, location);
  const user = state.payload.user;
  const replay = !!tour.replay;
  if (!replay && ((replayOf(user) || {}).id == tour.id || laterToday(user, tour.id))) return;
  if (running[tour.id]) running[tour.id].end(); // a replay replaces the tour drawn before it
  let current = null;
  // Escape is a dismissal too (the core's Escape would only hide the step for this page view)
  const escape = (event) => {
    if (event.key == 'Escape' && current && state.stack.at(-1) == current) {
      event.stopImmediatePropagation();
      event.preventDefault();
      close(current);
    }
  };
  addEventListener('keydown', escape, true);
  const end = () => {
    removeEventListener('keydown', escape, true);
    if (current) current.discard();
    if (replay) keepReplay(user, null);
    current = null;
    delete running[tour.id];
  };
  running[tour.id] = { end };
  // a replay's place in this tab; `jump` (just started from the centre) is never kept
  const keepAt = (step) => keepReplay(user, { ...tour, jump: 0, step });
  state.cleanups.push(() => (removeEventListener('keydown', escape, true), delete running[tour.id]));

  // × and Escape: dismissed means gone, on every device (and a replay ends)
  function close(node) {
    if (node) dismiss(node);
    end();
  }

  // "Remind me later": gone from this browser until tomorrow; the server is not told
  function later() {
    remindLater(user, tour.id);
    end();
  }

  function go(index, takeFocus) {
    if (current) current.discard();
    const step = steps[index];
    if (!step) return;
    if (replay) keepAt(index);
    const last = index == steps.length - 1;
    const actions = [];
    const draw = (anchor) => {
      const progress = el('p', 'ob-s', t('step', { n: index + 1, total: steps.length }));
      const guide = { id: tour.id, title: step.title, body: step.body };
      const className = stepPlacement(anchor, here(step));
      current = addFloating(card(guide, { close, actions, className, content: [progress] }), hide);
      current.anchor = anchor;
      // announced when it takes focus: its title (aria-labelledby), then "2 of 3" and its text
      const name = current.getAttribute('aria-labelledby');
      progress.id = name + 'p';
      const text = current.querySelector('.ob-b');
      if (text) text.id = name + 'd';
      attr(current, 'aria-describedby', (text ? text.id + ' ' : '') + progress.id);
      if (anchor && step.spotlight) {
        // the dimmed page with a cut-out around the anchor, drawn just below the step
        const spot = addFloating(el('div', 'ob-spot'), hide);
        spot.popover = 'manual';
        const discard = current.discard;
        current.discard = () => (discard(), spot.discard());
        current.spot = spot;
      }
      if (anchor && (step.advance_on || {}).click) {
        // the user did the thing the step asks for: on to the next step
        const onClick = () => current && current.guide == guide && forward();
        anchor.addEventListener('click', onClick, { once: true });
        current.free = true; // no focus trap: Tab must reach the anchor it asks the user to click
        const discard = current.discard;
        current.discard = () => (discard(), anchor.removeEventListener('click', onClick));
      }
      if (anchor) reveal(anchor);
      show(current, takeFocus);
    };
    if (!here(step)) {
      // a replay just started from the centre goes straight to its first step's page; otherwise a
      // step elsewhere links there, and that page resumes from the server's `step` (or this tab's
      // replay), so a user who wanders off during a replay is never pulled back
      if (tour.jump && step.url) return location.assign(safeHref(el('a'), step.url).href);
      actions.push(safeHref(el('a', 'ob-btn ob-pri', strings.next), step.url));
      return draw();
    }
    if (index) actions.push(button(strings.back, () => move(index - 1)));
    else if (!replay) actions.push(button(t('later'), later, 'ob-btn ob-q'));
    const forward = () => {
      if (!last) return move(index + 1);
      if (!replay) act(tour, 'complete');
      end();
    };
    actions.push(button(last ? strings.done : strings.next, forward, 'ob-btn ob-pri'));
    // a step whose anchor has not appeared within 5 s is drawn in the middle, without one
    if (step.anchor) waitForAnchor(step.anchor, draw, draw);
    else draw();
  }

  function move(index) {
    // a replay keeps its place in this tab only; the server keeps the user's own tour's step
    const saved = replay ? Promise.resolve(keepAt(index)) : act(tour, 'progress', { step: index });
    const step = steps[index];
    if (here(step)) return go(index, true);
    const url = safeHref(el('a'), step.url).href;
    current.discard();
    if (url) saved.then(() => location.assign(url)); // after the server has the step
  }

  // auto_open: the server grants today's attention budget. The step takes focus (and so is
  // announced) unless the user is already busy in the page (focus moved off <body>).
  Promise.resolve(replay || (tour.auto_open && autoOpen(tour))).then((granted) =>
    go(firstStep(tour), granted || [document.body, null].includes(document.activeElement)),
  );
}
