/* What the page currently draws. start() (core.js) replaces it on every payload: the first
   paint and each single-page-app navigation. */

export const state = {
  payload: null, // the page payload (docs/widget-contract.md, "Page payload")
  strings: {}, // payload.strings: the UI text in the user's locale
  guides: [], // payload.guides, in the server's display order
  seenIds: new Set(), // guides already reported as shown in this page view
  stack: [], // open floating cards, the last one on top (Escape closes it)
  cleanups: [], // undo functions for everything drawn or listened to for this payload
};

// The core's own URL: the lazy chunks and the stylesheet fallback are found beside it.
// Read while the script runs: document.currentScript is null afterwards.
export const BASE = (document.currentScript || {}).src || location.href;

export const onCleanup = (undo) => state.cleanups.push(undo);

/** Undo everything drawn for the previous payload; one failing undo must not stop the rest. */
export function cleanUp() {
  for (const undo of state.cleanups.splice(0)) {
    try {
      undo();
    } catch {
      /* the node is already gone */
    }
  }
}

/** No CSRF token (the host has no SECRET_KEY): draw help, send nothing, offer no control that would. */
export const readOnly = () => !state.payload.csrf;
