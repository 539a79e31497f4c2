/**
 * Runs the OpenStack stand-in as a process:
 *   node --import tsx sim/openstack/main.ts --port N [--boot-delay-ms N] [--delete-delay-ms N]
 *     [--max-instances N] [--user U --project PRJ] [--project-id ID]
 *     [--token-lifetime-ms N] [--region R]... [--image NAME]... [--ssh-user U]...
 *     [--authorized-key FILE] [--ssh-delay-ms N] [--snapshot-delay-ms N]
 * The user's password comes from the environment as OPENSTACK_SIM_PASSWORD, since a command
 * line is readable by every user of the machine; `--password P` still works for trying the
 * stand-in by hand. Prints one JSON line `{"listening": {...}}` on stdout when ready; SIGTERM
 * stops it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../../lib/log.ts';
import { startOpenStackSim } from './sim.ts';

const PASSWORD_VARIABLE = 'OPENSTACK_SIM_PASSWORD';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'boot-delay-ms': { type: 'string' },
    'delete-delay-ms': { type: 'string' },
    'snapshot-delay-ms': { type: 'string' },
    'max-instances': { type: 'string' },
    'token-lifetime-ms': { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    project: { type: 'string' },
    'project-id': { type: 'string' },
    image: { type: 'string', multiple: true },
    'ssh-delay-ms': { type: 'string' },
    region: { type: 'string', multiple: true },
    'ssh-user': { type: 'string', multiple: true },
    'authorized-key': { type: 'string' },
  },
  strict: true,
});

function integer(name: keyof typeof values): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    process.stderr.write(`--${name} must be an integer, got '${String(raw)}'\n`);
    process.exit(2);
  }
  return value;
}

const log = createLogger({ name: 'sim.openstack' });
const sim = await startOpenStackSim({
  port: integer('port'),
  bootDelayMs: integer('boot-delay-ms'),
  deleteDelayMs: integer('delete-delay-ms'),
  snapshotDelayMs: integer('snapshot-delay-ms'),
  maxInstances: integer('max-instances'),
  tokenLifetimeMs: integer('token-lifetime-ms'),
  username: values.user,
  password: process.env[PASSWORD_VARIABLE] || values.password,
  projectName: values.project,
  projectId: values['project-id'],
  images: values.image?.map((name) => ({ name })),
  regions: values.region,
  ssh: {
    usernames: values['ssh-user'],
    readyDelayMs: integer('ssh-delay-ms'),
    authorizedKey: values['authorized-key'] === undefined
      ? undefined
      : readFileSync(values['authorized-key'], 'utf8'),
  },
  log,
});

process.stdout.write(
  `${JSON.stringify({
    listening: {
      authUrl: sim.url,
      port: sim.port,
      username: sim.username,
      projectName: sim.projectName,
      projectId: sim.projectId,
      regions: sim.regions,
      images: sim.state().images,
    },
  })}\n`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  sim.close().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, 'sim: close failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
