/* [data-onboarding-confirm]: the click goes through only after the user confirms in a dialog. */

import { seen } from './actions.js';
import { card } from './card.js';
import { button } from './dom.js';
import { addFloating } from './layer.js';
import { hide } from './popover.js';
import { state } from './state.js';

/** Stops the click, asks, and replays it on "Confirm" (marked so it is not stopped again). */
export function confirmThenClick(event, control) {
  event.stopImmediatePropagation();
  const id = control.dataset.onboardingConfirm;
  // the confirm tooltip with that id, else the attribute's text is the question
  const guide = state.guides.find((g) => g.id == id && g.kind == 'tooltip') || { title: id };
  const strings = state.strings;
  const dialog = addFloating(
    card(guide, {
      tag: 'dialog',
      className: 'ob-m',
      actions: [
        button(strings.cancel, () => dialog.close()),
        button(
          strings.confirm,
          () => {
            dialog.confirmed = true;
            dialog.close();
          },
          'ob-btn ob-pri',
        ),
      ],
    }),
    hide,
  );
  dialog.onclose = () => {
    state.stack = state.stack.filter((open) => open != dialog);
    dialog.remove();
    control.focus();
    if (dialog.confirmed) {
      control.obConfirmed = true;
      control.click();
      control.obConfirmed = false;
    }
  };
  dialog.showModal(); // modal: focus stays in it, Escape cancels
  state.stack.push(dialog); // on top: a tour step or popover under it does not take that Escape
  seen(guide.id && guide);
}
