/* Where a floating card goes next to its anchor: pure math, tested with node --test.
   The design follows Floating UI's idea (side, flip, shift, size, arrow) in the few lines we need. */

/**
 * Tries the sides in order (below, above, after, before; "after" is the right in left-to-right
 * pages, the left in right-to-left ones). Of the sides where the card fits in the viewport, it
 * takes the first that covers the fewest rects in `avoid` (the page's controls, other cards); a
 * card that may scroll (`minHeight` > 0, a panel) may also be shortened to fit above or below,
 * down to minHeight (`maxHeight` in the answer). With room on no side, the roomiest side (flip).
 * The card is centred on the anchor along that side, then shifted to stay inside the viewport
 * (shift); when centred it would cover a control, it may slide along the side just past that
 * control, as long as its arrow still points into the anchor (a centred spot wins a tie).
 * `arrow` is where the arrow sits along the card's edge, pointing at the anchor's centre (or,
 * slid, the nearest point of the anchor it can reach).
 * @param {{top: number, bottom: number, left: number, right: number}} anchor - its client rect
 * @param {{width: number, height: number}} card - the card's size
 * @param {{width: number, height: number}} viewport
 * @param {{rtl?: boolean, avoid?: object[], gap?: number, margin?: number, inset?: number, minHeight?: number}} [o]
 * @returns {{left: number, top: number, side: 'top'|'bottom'|'left'|'right', arrow: number, covers: number, maxHeight?: number}}
 *   (`covers`: how many rects of `avoid` the card covers there; 0 whenever a spot tried allows it)
 */
export function placeCard(anchor, card, viewport, { rtl = false, avoid = [], gap = 12, margin = 8, inset = 18, minHeight = 0 } = {}) {
  const clamp = (value, low, high) => Math.max(low, Math.min(value, high));
  const across = (start, end, size, room) => clamp((start + end - size) / 2, margin, room - size - margin);
  const room = {
    top: anchor.top - gap - margin,
    bottom: viewport.height - anchor.bottom - gap - margin,
    left: anchor.left - gap - margin,
    right: viewport.width - anchor.right - gap - margin,
  };
  const hits = (box) => avoid.filter((r) => r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top).length;
  const option = (side, height) => {
    const vertical = side == 'top' || side == 'bottom';
    const size = vertical ? card.width : height;
    const [start, end] = vertical ? [anchor.left, anchor.right] : [anchor.top, anchor.bottom];
    const far = (vertical ? viewport.width : viewport.height) - size - margin;
    const at = side == 'top' ? anchor.top - gap - height : side == 'left' ? anchor.left - gap - card.width : side == 'bottom' ? anchor.bottom + gap : anchor.right + gap;
    // along the side: centred on the anchor, else slid past a control it would cover, as long
    // as the arrow can still point into the anchor
    const spots = [across(start, end, size, vertical ? viewport.width : viewport.height)];
    for (const r of avoid) spots.push(...(vertical ? [r.right + 4, r.left - 4 - size] : [r.bottom + 4, r.top - 4 - size]).map((v) => clamp(v, margin, far)));
    let best = null;
    for (const cross of spots) {
      if (best && (cross + inset > end - 2 || cross + size - inset < start + 2)) continue;
      const spot = vertical ? { left: cross, top: at } : { left: at, top: cross };
      const covers = hits({ ...spot, right: spot.left + card.width, bottom: spot.top + height });
      if (!best || covers < best.covers) best = { spot, covers, slid: !!best };
    }
    const spare = room[side] - (vertical ? height : card.width);
    const crossSpare = (vertical ? viewport.width - card.width : viewport.height - height) - 2 * margin;
    return { side, vertical, height, spare: Math.min(spare, crossSpare), ...best };
  };
  const options = ['bottom', 'top', rtl ? 'left' : 'right', rtl ? 'right' : 'left'].map((side) => option(side, card.height));
  const fitting = options.filter((o) => o.spare >= 0);
  for (const side of minHeight ? ['bottom', 'top'] : []) {
    if (room[side] >= minHeight && room[side] < card.height) fitting.push(option(side, room[side]));
  }
  const best = fitting.length
    ? fitting.reduce((a, b) => (b.covers - a.covers || b.slid - a.slid) < 0 ? b : a) // the first that covers the fewest controls, centred if it can
    : options.reduce((a, b) => (b.spare > a.spare ? b : a));
  const { side, spot, vertical, height, covers } = best;
  // no side has room: keep the card inside the viewport even if it then covers the anchor
  const left = clamp(spot.left, margin, viewport.width - card.width - margin);
  const top = clamp(spot.top, margin, viewport.height - height - margin);
  const arrow = vertical
    ? clamp((anchor.left + anchor.right) / 2 - left, inset, card.width - inset)
    : clamp((anchor.top + anchor.bottom) / 2 - top, inset, height - inset);
  const at = { left: Math.round(left), top: Math.round(top), side, arrow: Math.round(arrow), covers };
  if (height < card.height) at.maxHeight = Math.floor(height);
  return at;
}
