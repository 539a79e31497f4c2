import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  chooseIpv4,
  chooseIpv6,
  type ServerAddresses,
} from '../../../../lib/cloud/openstack/addresses.ts';
import { toCloudServer, type NovaServer } from '../../../../lib/cloud/openstack/nova.ts';

function sample(name: string): { server: NovaServer } {
  const url = new URL(`../../../../../shared/data/openstack-api/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as { server: NovaServer };
}

const v4 = (addr: string, type = 'fixed') => ({ addr, version: 4, 'OS-EXT-IPS:type': type });
const v6 = (addr: string) => ({ addr, version: 6 });

describe('server addresses', () => {
  const cases: { name: string; server: ServerAddresses; ipv4: string | undefined }[] = [
    { name: 'accessIPv4 wins', server: { accessIPv4: '203.0.113.9',
      addresses: { public: [v4('198.51.100.1')] } }, ipv4: '203.0.113.9' },
    { name: 'a floating IP beats a fixed one', server: { addresses: {
      private: [v4('10.0.0.5'), v4('198.51.100.7', 'floating')] } }, ipv4: '198.51.100.7' },
    { name: "the 'public' network beats others", server: { addresses: {
      lan: [v4('198.51.100.3')], public: [v4('203.0.113.4')] } }, ipv4: '203.0.113.4' },
    { name: 'a routable address on a private network', server: { addresses: {
      private: [v4('10.1.2.3'), v4('203.0.113.8')] } }, ipv4: '203.0.113.8' },
    { name: 'only private addresses: the private one', server: { addresses: {
      private: [v4('172.16.5.4')] } }, ipv4: '172.16.5.4' },
    { name: 'no addresses while building', server: { addresses: {} }, ipv4: undefined },
  ];
  for (const c of cases) {
    it(`${c.name}`, () => assert.equal(chooseIpv4(c.server), c.ipv4));
  }

  it('takes a global IPv6 address, never a link-local one', () => {
    assert.equal(
      chooseIpv6({ addresses: { public: [v6('fe80::1'), v6('2001:db8::5'), v4('10.0.0.1')] } }),
      '2001:db8::5',
    );
    assert.equal(chooseIpv6({ addresses: { public: [v4('203.0.113.1')] } }), undefined);
  });

  it("reads Nova's ACTIVE server sample", () => {
    const server = toCloudServer(sample('nova_2015-10_all_extensions_server-get-resp.json').server);

    assert.equal(server.status, 'ACTIVE');
    assert.equal(server.ipv4, '192.0.2.3');
    assert.equal(server.sshPort, 22);
    assert.equal(server.availabilityZone, 'nova');
    assert.equal(server.createdAt, '2013-09-23T13:37:00Z');
    assert.deepEqual(server.metadata, { 'My Server Name': 'Apache1' });
  });

  it("reads Nova's ERROR server sample with its fault", () => {
    const raw = sample('nova_2015-10_unit-test_server-detail-ERROR-with-fault.json').server;
    const server = toCloudServer(raw);

    assert.equal(server.status, 'ERROR');
    assert.deepEqual(server.fault, { code: 404, message: 'HTTPNotFound' });
    assert.equal(server.ipv6, '2001:db8:0:1::1');
    assert.equal(server.ipv4, '192.0.2.100');
  });

  it('takes the SSH port from metadata when a valid one is there', () => {
    const base = { id: 'x', name: 'x', status: 'ACTIVE', created: '2015-01-01T00:00:00Z' };
    assert.equal(toCloudServer({ ...base, metadata: { 'ssh-port': '2222' } }).sshPort, 2222);
    assert.equal(toCloudServer({ ...base, metadata: { 'ssh-port': 'abc' } }).sshPort, 22);
    assert.equal(toCloudServer({ ...base, metadata: { 'ssh-port': '70000' } }).sshPort, 22);
  });
});
