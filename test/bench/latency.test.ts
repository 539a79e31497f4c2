import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  demandStages,
  demandToCreate,
  finalizeStages,
  finalizeToDelete,
  lifecycles,
  nodeIdOf,
  throughputOf,
} from '../../bench/latency.ts';

describe('bench latency from the stand-ins records', () => {
  describe('demand -> create pairing', () => {
    const server = (name: string, createdAt: number) => ({ name, createdAt });
    const cases = [
      {
        name: 'pairs each submission with the first create at or after it',
        submitted: [100, 500],
        servers: [server('a-1', 50), server('a-2', 180), server('a-3', 620)],
        spans: [80, 120],
        unmatched: 0,
      },
      {
        name: 'never gives one create to two submissions',
        submitted: [100, 110],
        servers: [server('a-2', 150), server('a-3', 400)],
        spans: [50, 290],
        unmatched: 0,
      },
      {
        name: 'counts a submission no create followed',
        submitted: [100, 900],
        servers: [server('a-2', 300)],
        spans: [200],
        unmatched: 1,
      },
      {
        name: 'sorts what it is given',
        submitted: [500, 100],
        servers: [server('a-3', 520), server('a-2', 130)],
        spans: [30, 20],
        unmatched: 0,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { pairs, unmatched } = demandToCreate(c.submitted, c.servers);
        assert.deepEqual(
          pairs.map((pair) => pair.createdAt - pair.submittedAt),
          c.spans,
        );
        assert.equal(unmatched, c.unmatched);
      });
    }
  });

  it('times onFinalized -> DELETE per build, skipping builds not finalized or not deleted', () => {
    const spans = finalizeToDelete(
      [
        { nodeName: 'a-1', finalizedAt: 1000 },
        { nodeName: 'a-2', finalizedAt: 2000 },
        { nodeName: 'a-3' },
        { nodeName: 'a-4', finalizedAt: 4000 },
      ],
      [
        { name: 'a-1', createdAt: 0, deleteRequestedAt: 1012 },
        { name: 'a-2', createdAt: 0 },
        { name: 'a-3', createdAt: 0, deleteRequestedAt: 3500 },
        { name: 'a-4', createdAt: 0, deleteRequestedAt: 4040 },
      ],
    );
    assert.deepEqual(spans, [12, 40]);
  });

  it('counts a life cycle from submission to the machine gone, for completed builds only', () => {
    const cycles = lifecycles(
      [
        { outcome: 'complete', nodeName: 'a-1', submittedAt: 100 },
        { outcome: 'lost', nodeName: 'a-2', submittedAt: 100 },
        { outcome: 'complete', nodeName: 'a-3', submittedAt: 300 },
        { outcome: 'complete', submittedAt: 300 },
      ],
      [
        { name: 'a-1', createdAt: 0, deletedAt: 900 },
        { name: 'a-2', createdAt: 0, deletedAt: 950 },
        { name: 'a-3', createdAt: 0 },
      ],
    );
    assert.deepEqual(cycles, [{ start: 100, end: 900 }]);
  });

  it('gives throughput over the whole run and over the middle of the ends', () => {
    const cycles = Array.from({ length: 11 }, (_, i) => ({ start: 0, end: 1000 + i * 100 }));
    const throughput = throughputOf(cycles);
    assert.equal(throughput.seconds, 2);
    assert.equal(throughput.whole, 5.5);
    // The 2nd to the 10th end (10th to 90th percentile) are 0.8 s apart, 8 intervals.
    assert.equal(throughput.steady, 10);
    assert.deepEqual(throughputOf([]), { whole: 0, steady: 0, seconds: 0 });
  });

  it('splits demand -> create at the demand message and the spawn message', () => {
    const pairs = [{ submittedAt: 1000, createdAt: 1400, server: 'ci-jessie-wikimedia-7' }];
    const demand = [
      { subject: 'whiskpool.demand', at: 990, data: { at: 980 } },
      { subject: 'whiskpool.demand', at: 1200, data: { at: 1190 } },
    ];
    const spawns = [
      { subject: 'whiskpool.node.spawn', at: 1300, data: { nodeId: 7 } },
      { subject: 'whiskpool.node.spawn', at: 1250, data: { nodeId: 6 } },
    ];
    assert.deepEqual(demandStages(pairs, demand, spawns), {
      poll: [200],
      reconcile: [100],
      spawn: [100],
    });
  });

  it('splits onFinalized -> DELETE at the bridge message', () => {
    const stages = finalizeStages(
      [
        { nodeName: 'a-1', finalizedAt: 1000 },
        { nodeName: 'a-2', finalizedAt: 1000 },
      ],
      [
        { name: 'a-1', createdAt: 0, deleteRequestedAt: 1030 },
        { name: 'a-2', createdAt: 0, deleteRequestedAt: 1090 },
      ],
      [{ subject: 'whiskpool.build.finalized', at: 1004, data: { nodeName: 'a-1' } }],
    );
    assert.deepEqual(stages, { bridge: [4], delete: [26] });
  });

  const names: [string, number | null][] = [
    ['ci-jessie-wikimedia-12', 12],
    ['ci-trusty-wikimedia-3', 3],
    ['template-image', null],
  ];
  for (const [name, id] of names) {
    it(`reads node id ${String(id)} from server name ${name}`, () => {
      assert.equal(nodeIdOf(name), id);
    });
  }
});
