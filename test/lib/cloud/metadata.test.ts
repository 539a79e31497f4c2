import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MetadataKey,
  ownedBy,
  readOwnership,
  serverMetadata,
} from '../../../lib/cloud/index.ts';
import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';

const input = {
  poolId: 'ci-eqiad',
  nodeId: '1234',
  provider: 'wmflabs-eqiad',
  label: 'ci-jessie-wikimedia',
  imageName: 'ci-jessie-wikimedia',
};

describe('server metadata', () => {
  it('carries flat whiskpool keys and Nodepool-compatible JSON', () => {
    const metadata = serverMetadata(input);

    assert.equal(metadata[MetadataKey.Pool], 'ci-eqiad');
    assert.equal(metadata[MetadataKey.NodeId], '1234');
    assert.equal(metadata[MetadataKey.Provider], 'wmflabs-eqiad');
    assert.equal(metadata[MetadataKey.Label], 'ci-jessie-wikimedia');
    assert.deepEqual(JSON.parse(metadata.nodepool ?? ''), {
      provider_name: 'wmflabs-eqiad',
      node_id: '1234',
      image_name: 'ci-jessie-wikimedia',
    });
    for (const [key, value] of Object.entries(metadata)) {
      assert.equal(typeof value, 'string', key);
    }
  });

  it('refuses values Nova would reject (over 255 characters)', () => {
    assert.throws(
      () => serverMetadata({ ...input, label: 'x'.repeat(256) }),
      (error: unknown) =>
        isWhiskpoolError(error, ErrorCode.ConfigInvalid) && /whiskpool-label/.test(error.message),
    );
    assert.throws(
      () => serverMetadata({ ...input, imageName: 'i'.repeat(240) }),
      /'nodepool'/,
    );
  });

  it('reads ownership back and tells whose server it is', () => {
    const server = { metadata: serverMetadata(input) };

    assert.deepEqual(readOwnership(server.metadata), {
      poolId: 'ci-eqiad',
      nodeId: '1234',
      provider: 'wmflabs-eqiad',
      label: 'ci-jessie-wikimedia',
    });
    assert.equal(ownedBy(server, 'ci-eqiad'), true);
    assert.equal(ownedBy(server, 'ci-codfw'), false);
  });

  const foreign: { name: string; metadata: Record<string, string> }[] = [
    { name: 'no metadata', metadata: {} },
    { name: 'only Nodepool keys', metadata: { nodepool: '{"node_id": "1"}' } },
    { name: 'pool without node id', metadata: { [MetadataKey.Pool]: 'ci-eqiad' } },
  ];
  for (const c of foreign) {
    it(`treats a server with ${c.name} as not whiskpool's`, () => {
      assert.equal(readOwnership(c.metadata), null);
    });
  }
});
