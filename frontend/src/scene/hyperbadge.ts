// The "η" badge on a box that reads a hyperparameter: three elements, no layout, drawn on the box's top-left
// corner so it never meets the φ badge (top-right). A click on it selects the box; the inspector names the
// hyperparameters.

import { s } from '../lib/dom';
import { round as r1 } from '../lib/num';
import { hyperBadgeTitle } from '../graph/hyperwords';
import { PARAMS } from './params';

const B = PARAMS.badge;
/** Inset of the badge from the box's left edge. */
const INSET_X = 10;

export function hyperBadge(names: readonly string[], x: number, y: number): SVGGElement {
  const bx = x + INSET_X;
  const by = y - B.overlapY;
  const g = s('g', { class: 'hyper-badge', 'data-hyper-badge': names.join(','), role: 'button' });
  g.append(s('title', {}, hyperBadgeTitle(names)));
  g.append(s('rect', { x: r1(bx), y: r1(by), width: B.width, height: B.height, rx: B.height / 2 }));
  g.append(s('text', { x: r1(bx + B.width / 2), y: r1(by + B.textY), 'text-anchor': 'middle' }, 'η'));
  return g;
}
