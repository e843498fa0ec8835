/* Validation and server hints, in the float chunk (static/onboarding-float.js): they are drawn at a
   field, so the page loads the placement code for them anyway, and the core stays small. The
   core passes its toolkit (tours.js `kit`), so the cards are drawn exactly like its own. */

const isOpen = (card) => card.matches(':popover-open');

/** addEventListener, removed again when the next payload is drawn (dom.js listen). */
function listen(kit, target, type, handler) {
  target.addEventListener(type, handler);
  kit.state.cleanups.push(() => target.removeEventListener(type, handler));
}

/**
 * A validation hint comes late and leaves early: never while the user types (what is typed so far
 * may still become valid), shown when they leave the field with an invalid value, hidden as soon
 * as the value is valid. One message per field: when the browser (a submit's `invalid` event) or
 * the host already shows one, the hint joins it as the field's description instead.
 */
export function validationHint(kit, guide, node, anchor) {
  const { hide, show, say } = kit;
  const invalid = () => anchor.matches(':invalid');
  const text = guide.title + '. ' + (node.querySelector('.ob-b') || node).textContent;
  listen(kit, anchor, 'input', () => invalid() || (hide(node), describe(kit, anchor, '')));
  listen(kit, anchor, 'blur', () => {
    if (!invalid() || isOpen(node)) return;
    if (hostMessage(anchor)) return describe(kit, anchor, text);
    show(node);
    say(guide.title);
  });
  listen(kit, anchor, 'invalid', () => {
    hide(node); // the browser's bubble (or the host's message) is the one shown now
    describe(kit, anchor, text);
  });
}

/** The text of the messages the host shows for this field (aria-errormessage, aria-describedby), or ''. */
export function hostMessage(field) {
  const ids = [field.getAttribute('aria-errormessage'), field.getAttribute('aria-describedby')].join(' ');
  return ids
    .split(/\s+/)
    .map((id) => id && !id.startsWith('ob-desc') && document.getElementById(id))
    .filter((message) => message && message.checkVisibility())
    .map((message) => message.textContent.trim())
    .join(' ');
}

let descriptions = 0;

/** Adds (or with '' removes) our text to the field's accessible description: a visually hidden
    element beside it (no layout space), referenced from aria-describedby. */
function describe(kit, field, text) {
  let note = field.obDescription;
  if (!note) {
    if (!text) return;
    note = field.obDescription = kit.el('span', 'ob-desc');
    note.id = 'ob-desc' + ++descriptions;
    const before = field.getAttribute('aria-describedby');
    field.setAttribute('aria-describedby', ((before || '') + ' ' + note.id).trim());
    field.after(note);
    kit.state.cleanups.push(() => {
      note.remove();
      field.obDescription = null;
      if (before == null) field.removeAttribute('aria-describedby');
      else field.setAttribute('aria-describedby', before);
    });
  }
  note.textContent = text;
}

/** A server-sent hint (the host's own validation failed): a status card at its field, or, when
    the host already shows its own message there, the field's description (one message per field). */
export function serverHint(kit, hint, anchor) {
  const { addFloating, card, el, hide, show, say } = kit;
  const shown = hostMessage(anchor);
  if (shown) return shown.includes(hint.text) || describe(kit, anchor, hint.text);
  const node = addFloating(card({}, { close: hide, role: 'status', content: [el('p', 'ob-b', hint.text)] }), hide);
  node.anchor = anchor;
  show(node);
  say(hint.text);
}
