import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ErrorCode } from '../../../lib/errors.ts';
import {
  checkHostnameTemplate,
  jenkinsNodeName,
  renderHostname,
  type HostnameTemplateKind,
  type HostnameValues,
} from '../../../lib/config/hostname.ts';

const VALUES: HostnameValues = {
  label: { name: 'ci-jessie-wikimedia' },
  provider: { name: 'wmflabs-eqiad' },
  target: { name: 'gallium' },
  image: { name: 'ci-jessie' },
  nodeId: 42,
  subnodeId: 2,
  timestamp: 1449532800.75,
};

const RENDERED: [string, string][] = [
  ['{label.name}-{provider.name}-{node_id}', 'ci-jessie-wikimedia-wmflabs-eqiad-42'],
  ['{label.name}-{node_id}', 'ci-jessie-wikimedia-42'],
  ['{label.name}-{node_id}-{subnode_id}', 'ci-jessie-wikimedia-42-2'],
  [
    '{label.name}-{provider.name}-{node_id}.slave.openstack.org',
    'ci-jessie-wikimedia-wmflabs-eqiad-42.slave.openstack.org',
  ],
  ['{image.name}-{timestamp}', 'ci-jessie-1449532800'],
  ['template-{image.name}-{timestamp}', 'template-ci-jessie-1449532800'],
  ['{target.name}-{node_id}', 'gallium-42'],
  ['{{literal}}-{node_id}', '{literal}-42'],
  ['plain', 'plain'],
];

const CHECKED: [string, HostnameTemplateKind, string | undefined][] = [
  ['{label.name}-{provider.name}-{node_id}', 'node', undefined],
  ['{label.name}-{node_id}-{subnode_id}', 'subnode', undefined],
  ['{label.name}-{node_id}-{subnode_id}', 'node', 'unknown field {subnode_id}'],
  ['template-{image.name}-{timestamp}', 'image', undefined],
  ['{label.name}-{timestamp}', 'image', 'unknown field {label.name}'],
  ['{label.name}', 'node', 'must contain {node_id}'],
  ['{node_id}', 'subnode', 'must contain {subnode_id}'],
  ['{label}-{node_id}', 'node', 'unknown field {label}'],
  ['{}-{node_id}', 'node', 'positional field {} is not supported'],
  ['{node_id!r}', 'node', 'has a conversion or format spec'],
  ['{node_id', 'node', 'is never closed'],
  ['node_id}', 'node', 'single "}"'],
];

describe('host name templates', () => {
  for (const [template, expected] of RENDERED) {
    test(`${template} renders as ${expected}`, () => {
      assert.equal(renderHostname(template, VALUES), expected);
    });
  }

  for (const [template, kind, reason] of CHECKED) {
    const verdict = reason === undefined ? 'is accepted' : `is refused: ${reason}`;
    test(`${template} as a ${kind} template ${verdict}`, () => {
      const found = checkHostnameTemplate(template, kind);
      if (reason === undefined) assert.equal(found, undefined);
      else assert.ok(found?.includes(reason), `got ${found}`);
    });
  }

  test('rendering a field that was not given is an error naming the field', () => {
    assert.throws(
      () => renderHostname('{node_id}-{subnode_id}', { nodeId: 1 }),
      (error: unknown) =>
        (error as { code?: string }).code === ErrorCode.ConfigInvalid &&
        /uses \{subnode_id\}, which was not given/.test((error as Error).message),
    );
  });

  test('the Jenkins node name is the host name up to the first dot', () => {
    assert.equal(jenkinsNodeName('devstack-trusty-42.slave.openstack.org'), 'devstack-trusty-42');
    assert.equal(jenkinsNodeName('ci-jessie-wikimedia-42'), 'ci-jessie-wikimedia-42');
  });
});
