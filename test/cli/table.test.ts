import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatNodes } from '../../cli/commands/list.ts';
import { formatAge, renderTable } from '../../cli/format/table.ts';
import type { Node } from '../../lib/node/node.ts';

describe('list output', () => {
  const ages: [number, string][] = [
    [0, '00:00:00:00'],
    [59_999, '00:00:00:59'],
    [61_000, '00:00:01:01'],
    [3_600_000 * 25 + 5000, '01:01:00:05'],
    [-5000, '00:00:00:00'],
  ];
  for (const [ms, text] of ages) {
    it(`shows an age of ${ms} ms as ${text}`, () => assert.equal(formatAge(ms), text));
  }

  it('draws a left-aligned box like PrettyTable', () => {
    assert.equal(
      renderTable(['ID', 'State'], [['1', 'ready'], ['12', 'in-use']]),
      [
        '+----+--------+',
        '| ID | State  |',
        '+----+--------+',
        '| 1  | ready  |',
        '| 12 | in-use |',
        '+----+--------+',
      ].join('\n'),
    );
  });

  const node: Node = {
    id: 7,
    provider: 'wmflabs-eqiad',
    label: 'ci-jessie-wikimedia',
    target: 'gallium',
    az: null,
    hostname: 'ci-jessie-wikimedia-7',
    nodeName: 'ci-jessie-wikimedia-7',
    externalId: 'a1b2',
    imageRef: null,
    ip: '10.68.16.5',
    ipPrivate: null,
    sshPort: 22,
    state: 'ready',
    stateTime: 1000,
    createdAt: 0,
    version: 3,
    launchAttempts: 1,
    build: null,
    comment: 'kept to look at a failed build',
    error: null,
    checkedAt: null,
  };

  it("prints Nodepool's columns in Nodepool's order", () => {
    const header = formatNodes([node], 62_000, false).split('\n')[1];
    assert.equal(
      header?.replace(/ +/g, ' '),
      '| ID | Provider | AZ | Label | Target | Hostname | NodeName | Server ID | IP | State | Age |',
    );
  });

  it('prints the same nodes as JSON', () => {
    const rows = JSON.parse(formatNodes([node], 62_000, true)) as Record<string, unknown>[];
    assert.deepEqual(rows[0], {
      id: 7,
      provider: 'wmflabs-eqiad',
      az: null,
      label: 'ci-jessie-wikimedia',
      target: 'gallium',
      hostname: 'ci-jessie-wikimedia-7',
      nodeName: 'ci-jessie-wikimedia-7',
      serverId: 'a1b2',
      ip: '10.68.16.5',
      state: 'ready',
      ageSeconds: 61,
      comment: 'kept to look at a failed build',
    });
  });
});
