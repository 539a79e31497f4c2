import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServerBody, nextMarker } from '../../../../lib/cloud/openstack/nova.ts';
import type { ServerSpec } from '../../../../lib/cloud/index.ts';

const spec: ServerSpec = { name: 'n', imageId: 'img', flavorId: '3', metadata: { a: 'b' } };

describe('Nova server create body', () => {
  const cases: { name: string; spec: ServerSpec; version: string; networks: unknown }[] = [
    { name: 'no networks at 2.37 lets the cloud choose', spec, version: '2.37',
      networks: 'auto' },
    { name: 'no networks at a later version too', spec, version: '2.53', networks: 'auto' },
    { name: 'no networks before 2.37 sends none', spec, version: '2.1', networks: undefined },
    { name: "'none' passes through", spec: { ...spec, networks: 'none' }, version: '2.37',
      networks: 'none' },
    { name: 'network ids pass through', spec: { ...spec, networks: [{ uuid: 'n1' }] },
      version: '2.37', networks: [{ uuid: 'n1' }] },
  ];
  for (const c of cases) {
    it(`${c.name} (${c.version})`, () => {
      const body = createServerBody(c.spec, c.version) as { server: Record<string, unknown> };
      assert.deepEqual(body.server.networks, c.networks);
    });
  }

  it('sends optional fields only when given, under Nova names', () => {
    const body = createServerBody({ ...spec, availabilityZone: 'az1', configDrive: true,
      keyName: 'k' }, '2.37') as { server: Record<string, unknown> };
    assert.deepEqual(body.server, {
      name: 'n', imageRef: 'img', flavorRef: '3', metadata: { a: 'b' }, networks: 'auto',
      availability_zone: 'az1', config_drive: true, key_name: 'k',
    });
    const plain = createServerBody(spec, '2.37') as { server: Record<string, unknown> };
    assert.equal('availability_zone' in plain.server, false);
    assert.equal('key_name' in plain.server, false);
  });

  it('reads the marker of the next page from a servers_links list', () => {
    const href = 'http://nova/v2.1/servers/detail?limit=2&marker=abc';
    assert.equal(nextMarker([{ rel: 'next', href }]), 'abc');
    assert.equal(nextMarker([{ rel: 'self', href }]), undefined);
    assert.equal(nextMarker(undefined), undefined);
  });
});
