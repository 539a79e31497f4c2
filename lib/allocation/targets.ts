import { roundHalfUp } from './rounding.ts';

/**
 * Spreads `count` new nodes of one label over the online targets so that every target ends
 * up with about the same number of that label's nodes. Each target in turn gets what brings
 * it to an equal share of the nodes still to be placed among itself and the targets after
 * it; the last target takes whatever is left. `current` (nodes per target) is updated.
 */
export function spreadOverTargets(
  count: number,
  targets: readonly string[],
  current: Map<string, number>,
): Array<{ target: string; count: number }> {
  const placed: Array<{ target: string; count: number }> = [];
  let left = count;
  let pool = count;
  for (const target of targets) pool += current.get(target) ?? 0;

  let targetsLeft = targets.length;
  for (const target of targets) {
    const has = current.get(target) ?? 0;
    const fairShare = roundHalfUp((1 / targetsLeft) * pool);
    const share = Math.max(0, Math.min(fairShare - has, left));

    left -= share;
    pool -= has + share;
    targetsLeft -= 1;
    current.set(target, has + share);
    placed.push({ target, count: share });
  }

  return placed;
}
