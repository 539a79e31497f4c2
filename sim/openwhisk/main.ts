/**
 * Runs the OpenWhisk stand-in as a process:
 *   node --import tsx sim/openwhisk/main.ts [--port N] [--namespace NS] [--max-concurrency N]
 * The API key (`uuid:key`) comes from WHISKPOOL_OW_AUTH, so it never shows in a process list.
 * Prints one JSON line `{"listening": {...}}` on stdout when ready; SIGTERM stops it.
 */
import { parseArgs } from 'node:util';

import { createLogger } from '../../lib/log.ts';
import { untilSignalled } from '../../lib/process/signals.ts';
import { startOpenWhiskSim } from './sim.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    namespace: { type: 'string', default: 'guest' },
    'max-concurrency': { type: 'string', default: '100' },
  },
  strict: true,
});

const apiKey = process.env.WHISKPOOL_OW_AUTH;
if (!apiKey || !apiKey.includes(':')) {
  process.stderr.write('WHISKPOOL_OW_AUTH must hold the API key, uuid:key\n');
  process.exit(2);
}

const log = createLogger({ name: 'sim.openwhisk' });
const sim = await startOpenWhiskSim({
  port: Number(values.port),
  apiKey,
  namespace: values.namespace,
  maxConcurrency: Number(values['max-concurrency']),
  output: process.stderr,
  log,
});
const listening = { url: sim.url, namespace: sim.namespace };
process.stdout.write(`${JSON.stringify({ listening })}\n`);

await untilSignalled();
await sim.close();
