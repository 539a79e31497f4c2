import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isLegalTransition, NODE_STATES, type NodeState } from '../../../lib/node/states.ts';

describe('node life', () => {
  const cases: [NodeState | null, NodeState, boolean][] = [
    [null, 'requested', true],
    [null, 'ready', false],
    ['requested', 'building', true],
    ['building', 'booted', true],
    ['booted', 'ready', true],
    ['ready', 'in-use', true],
    ['in-use', 'used', true],
    ['used', 'deleting', true],
    ['deleting', 'deleted', true],
    ['ready', 'used', true],
    ['building', 'failed', true],
    ['failed', 'deleting', true],
    ['ready', 'hold', true],
    ['hold', 'deleting', true],
    ['requested', 'ready', false],
    ['building', 'ready', false],
    ['in-use', 'ready', false],
    ['used', 'ready', false],
    ['used', 'in-use', false],
    ['deleting', 'ready', false],
    ['deleted', 'requested', false],
    ['hold', 'ready', false],
    ['failed', 'ready', false],
  ];

  for (const [from, to, legal] of cases) {
    it(`${legal ? 'allows' : 'refuses'} ${from ?? '(new)'} -> ${to}`, () => {
      assert.equal(isLegalTransition(from, to), legal);
    });
  }

  it('offers no way back to ready from any state a build has touched', () => {
    for (const from of ['in-use', 'used', 'hold', 'deleting', 'deleted'] as NodeState[]) {
      for (const to of ['requested', 'building', 'booted', 'ready'] as NodeState[]) {
        assert.equal(isLegalTransition(from, to), false, `${from} -> ${to}`);
      }
    }
  });

  it('lets every state but deleted reach deleted', () => {
    const reachable = new Set<NodeState>(['deleted']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const state of NODE_STATES) {
        if (reachable.has(state)) continue;
        if (NODE_STATES.some((to) => reachable.has(to) && isLegalTransition(state, to))) {
          reachable.add(state);
          grew = true;
        }
      }
    }
    assert.deepEqual([...reachable].sort(), [...NODE_STATES].sort());
  });
});
