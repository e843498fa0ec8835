/* Where a floating card goes next to its anchor: pure math, tested with node --test. */

/**
 * Below the anchor, or above it when there is no room below but room above; aligned with the
 * anchor's start edge (its right edge in right-to-left pages), then kept inside the viewport.
 * @param {{top: number, bottom: number, left: number, right: number}} anchor - the anchor's client rect
 * @param {{width: number, height: number}} card - the card's size
 * @param {{width: number, height: number}} viewport
 * @returns {{left: number, top: number}} the card's fixed position, in CSS pixels
 */
export function placeCard(anchor, card, viewport, rtl = false, margin = 8) {
  let top = anchor.bottom + margin;
  const roomAbove = anchor.top - card.height - margin > margin;
  if (top + card.height > viewport.height - margin && roomAbove) top = anchor.top - card.height - margin;
  const left = rtl ? anchor.right - card.width : anchor.left;
  return {
    left: Math.max(margin, Math.min(left, viewport.width - card.width - margin)),
    top: Math.max(margin, Math.min(top, viewport.height - card.height - margin)),
  };
}
