import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';

import { freePort, portInUse } from '../../deploy/services/ports.ts';

describe('free ports for servers about to start', () => {
  it('are below the ephemeral range, each handed out once, and can be listened on', async () => {
    const ephemeral = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));

    assert.equal(new Set(ports).size, ports.length, 'no port twice');
    for (const port of ports) assert.ok(port >= 10_000 && port < ephemeral, `${port}`);
    assert.equal(await portInUse(ports[0]!), false);
  });

  it('tell a port someone listens on', async (t) => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    t.after(() => server.close());

    assert.equal(await portInUse(port), true);
  });
});
