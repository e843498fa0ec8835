/* A tour's position: pure, tested with node --test. */

/**
 * Whether a step belongs on the current page: by its endpoint when it names one, else by the
 * path of its url (a step without either is on every page).
 */
export function isOnThisPage(step, page, here) {
  if (step.endpoint) return step.endpoint == page;
  return !step.url || new URL(step.url, here).pathname == here.pathname;
}

/** The step to show first: the server's `step`, kept inside the tour. */
export const firstStep = (tour) => Math.max(0, Math.min(tour.step || 0, (tour.steps || []).length - 1));

/** How a step's card sits: at its anchor, centred on its own page, or in the corner elsewhere. */
export const stepPlacement = (anchored, onThisPage) => (anchored ? '' : onThisPage ? 'ob-center' : 'ob-corner');
