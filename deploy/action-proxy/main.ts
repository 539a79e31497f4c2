import type { AddressInfo } from 'node:net';

import { createActionProxy } from './runner.ts';

/**
 * One action container: serves the action-proxy protocol on 127.0.0.1 and says where on its
 * first stdout line, before any activation can write there. `--port 0` takes a free port.
 */
const portIndex = process.argv.indexOf('--port');
const port = portIndex >= 0 ? Number(process.argv[portIndex + 1]) : 8080;

const server = createActionProxy({ allowConcurrent: process.env.__OW_ALLOW_CONCURRENT === 'true' });
// OpenWhisk's runtimes keep connections open as long as the invoker wants them.
server.timeout = 0;
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ listening: { port: bound } })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

// A host that was killed cannot stop its containers; their stdin closing tells them instead.
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.once('end', stop);
  process.stdin.resume();
}
