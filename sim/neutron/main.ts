/**
 * Runs the Neutron stand-in as a process:
 *   node --import tsx sim/neutron/main.ts [--port N]
 * Prints one JSON line `{"listening": {...}}` on stdout when ready; SIGTERM stops it.
 */
import { parseArgs } from 'node:util';

import { createLogger } from '../../lib/log.ts';
import { startNeutronSim } from './neutron.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' } },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, got '${values.port}'\n`);
  process.exit(2);
}

const log = createLogger({ name: 'sim.neutron' });
const sim = await startNeutronSim({ port, log });
process.stdout.write(`${JSON.stringify({ listening: { url: sim.url, port: sim.port } })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
