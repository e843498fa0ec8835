/* Feedback is asked once per guide: the guides this user answered "Was this helpful?" for, kept in
   this browser under `obf:<user>` (the newest 200). Without a user in the payload: every time. */

import { state } from './state.js';

const KEEP = 200;

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key)) || [];
  } catch {
    return [];
  }
}

const storageKey = () => typeof state.payload.user == 'string' && 'obf:' + state.payload.user;

export const answered = (guideId) => {
  const key = storageKey();
  return !!key && read(key).includes(guideId);
};

export function rememberAnswer(guideId) {
  const key = storageKey();
  if (!key) return;
  const ids = read(key).filter((id) => id != guideId);
  try {
    localStorage.setItem(key, JSON.stringify([...ids, guideId].slice(-KEEP)));
  } catch {
    /* storage full or unavailable: asked again next time */
  }
}
