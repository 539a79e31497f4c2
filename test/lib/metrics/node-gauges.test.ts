import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NODEPOOL_STATES, nodeGauges } from '../../../lib/metrics/index.ts';

const SCOPE = {
  providers: [{ name: 'wmflabs-eqiad', maxServers: 20 }],
  labels: [{ name: 'ci-jessie-wikimedia' }, { name: 'ci-trusty-wikimedia' }],
  targets: [{ name: 'gallium' }],
};

type State = Parameters<typeof nodeGauges>[1][number]['state'];

const node = (label: string, state: State, count = 1) => ({
  provider: 'wmflabs-eqiad',
  label,
  target: 'gallium',
  state,
  count,
});

describe('node gauges', () => {
  it('sends every state for every provider, label and target, zero when empty', () => {
    const gauges = nodeGauges(SCOPE, []);
    for (const state of NODEPOOL_STATES) {
      for (const key of [
        `nodepool.nodes.${state}`,
        `nodepool.provider.wmflabs-eqiad.nodes.${state}`,
        `nodepool.label.ci-jessie-wikimedia.nodes.${state}`,
        `nodepool.label.ci-trusty-wikimedia.nodes.${state}`,
        `nodepool.target.gallium.nodes.${state}`,
      ]) {
        assert.equal(gauges.get(key), 0, key);
      }
    }
    assert.equal(gauges.get('nodepool.provider.wmflabs-eqiad.max_servers'), 20);
    assert.equal(gauges.size, NODEPOOL_STATES.length * 5 + 1);
  });

  const folds: [string, string][] = [
    ['requested', 'building'],
    ['building', 'building'],
    ['booted', 'building'],
    ['ready', 'ready'],
    ['in-use', 'used'],
    ['used', 'used'],
    ['hold', 'hold'],
    ['failed', 'delete'],
    ['deleting', 'delete'],
  ];
  for (const [state, nodepool] of folds) {
    it(`counts a ${state} node as Nodepool's ${nodepool}`, () => {
      const gauges = nodeGauges(SCOPE, [node('ci-jessie-wikimedia', state as State, 3)]);
      assert.equal(gauges.get(`nodepool.nodes.${nodepool}`), 3);
      assert.equal(gauges.get(`nodepool.label.ci-jessie-wikimedia.nodes.${nodepool}`), 3);
      assert.equal(gauges.get(`nodepool.label.ci-trusty-wikimedia.nodes.${nodepool}`), 0);
      assert.equal(gauges.get(`nodepool.provider.wmflabs-eqiad.nodes.${nodepool}`), 3);
      assert.equal(gauges.get(`nodepool.target.gallium.nodes.${nodepool}`), 3);
    });
  }

  it('adds up groups, leaves deleted nodes out, counts removed labels in the total only', () => {
    const gauges = nodeGauges(SCOPE, [
      node('ci-jessie-wikimedia', 'ready', 2),
      node('ci-trusty-wikimedia', 'ready', 1),
      node('ci-jessie-wikimedia', 'deleted', 40),
      node('ci-precise-retired', 'ready', 5),
    ]);
    assert.equal(gauges.get('nodepool.nodes.ready'), 8);
    assert.equal(gauges.get('nodepool.provider.wmflabs-eqiad.nodes.ready'), 8);
    assert.equal(gauges.get('nodepool.label.ci-jessie-wikimedia.nodes.ready'), 2);
    assert.equal(gauges.get('nodepool.label.ci-precise-retired.nodes.ready'), undefined);
    assert.ok(![...gauges.keys()].some((key) => key.includes('deleted') || key.includes('gone')));
  });
});
