/* Where a floating card goes next to its anchor: pure math, tested with node --test.
   The design follows Floating UI's idea (side, flip, shift, arrow) in the few lines we need. */

/**
 * Tries the sides in order (below, above, after, before; "after" is the right in left-to-right
 * pages, the left in right-to-left ones) and takes the first where the card fits in the viewport
 * without covering any rect in `avoid` (the controls next to the anchor); else the first where it
 * fits; else the roomiest (flip). The card is centred on the anchor along that side, then shifted
 * to stay inside the viewport (shift); `arrow` is where the arrow sits along the card's edge, so
 * it points at the anchor's centre however far the card shifted.
 * @param {{top: number, bottom: number, left: number, right: number}} anchor - its client rect
 * @param {{width: number, height: number}} card - the card's size
 * @param {{width: number, height: number}} viewport
 * @param {{rtl?: boolean, avoid?: object[], gap?: number, margin?: number, inset?: number}} [o]
 * @returns {{left: number, top: number, side: 'top'|'bottom'|'left'|'right', arrow: number}}
 */
export function placeCard(anchor, card, viewport, { rtl = false, avoid = [], gap = 12, margin = 8, inset = 18 } = {}) {
  const clamp = (value, low, high) => Math.max(low, Math.min(value, high));
  const across = (start, end, size, room) => clamp((start + end - size) / 2, margin, room - size - margin);
  const sides = ['bottom', 'top', rtl ? 'left' : 'right', rtl ? 'right' : 'left'].map((side) => {
    const vertical = side == 'top' || side == 'bottom';
    const spot = vertical
      ? {
          left: across(anchor.left, anchor.right, card.width, viewport.width),
          top: side == 'top' ? anchor.top - gap - card.height : anchor.bottom + gap,
        }
      : {
          left: side == 'left' ? anchor.left - gap - card.width : anchor.right + gap,
          top: across(anchor.top, anchor.bottom, card.height, viewport.height),
        };
    const room = { top: anchor.top, bottom: viewport.height - anchor.bottom, left: anchor.left, right: viewport.width - anchor.right }[side] - gap - margin;
    const box = { ...spot, right: spot.left + card.width, bottom: spot.top + card.height };
    return {
      side,
      spot,
      room: room - (vertical ? card.height : card.width),
      covers: avoid.filter((r) => r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top).length,
      vertical,
    };
  });
  const fits = sides.filter((s) => s.room >= 0);
  const best = fits.length
    ? fits.reduce((a, b) => (b.covers < a.covers ? b : a)) // the first that covers the fewest controls
    : sides.reduce((a, b) => (b.room > a.room ? b : a));
  const { side, spot, vertical } = best;
  // no side has room: keep the card inside the viewport even if it then covers the anchor
  const left = clamp(spot.left, margin, viewport.width - card.width - margin);
  const top = clamp(spot.top, margin, viewport.height - card.height - margin);
  const arrow = vertical
    ? clamp((anchor.left + anchor.right) / 2 - left, inset, card.width - inset)
    : clamp((anchor.top + anchor.bottom) / 2 - top, inset, card.height - inset);
  return { left: Math.round(left), top: Math.round(top), side, arrow: Math.round(arrow) };
}
