import type { Command } from 'commander';

import type { CloudServer } from '../../lib/cloud/provider.ts';
import { listNodes } from '../../lib/node/repository.ts';
import { LIVE_STATES } from '../../lib/node/states.ts';
import type { GlobalOptions } from '../config-file.ts';
import { renderTable } from '../format/table.ts';
import { withPoolSession, type PoolSession } from '../pool-session.ts';
import {
  listPerProvider,
  providersNamed,
  reportFailures,
  type ProviderListing,
} from '../provider-listing.ts';

const HEADERS = ['Provider', 'Hostname', 'Server ID', 'IP'] as const;

interface AlienKey {
  provider: string;
  externalId: string | null;
}

export interface AlienServer {
  provider: string;
  hostname: string;
  serverId: string;
  ip: string | null;
}

/**
 * `alien-list [PROVIDER]`: servers in the cloud that no live node (or subnode) owns, as
 * Nodepool listed them: leaks, servers of other tools on the same tenant, and image template
 * servers.
 */
export function registerAlienListCommand(program: Command) {
  const command = program
    .command('alien-list')
    .description('list cloud servers that no node of the pool owns')
    .argument('[provider]', 'only this provider')
    .option('--json', 'print JSON instead of a table')
    .action(async (provider: string | undefined, options: { json?: boolean }) => {
      const listing = await withPoolSession(program.opts<GlobalOptions>(), (session) =>
        findAlienServers(session, providersNamed(command, session.config, provider)),
      );
      process.stdout.write(`${formatAlienServers(listing.items, options.json === true)}\n`);
      reportFailures(listing);
    });
}

export async function findAlienServers(
  session: PoolSession,
  providers: readonly string[],
): Promise<ProviderListing<AlienServer>> {
  const nodes = await listNodes(session.db, { states: LIVE_STATES });
  // A multi-machine set's subnodes are the pool's servers as much as their primary is.
  const subnodes = (await session.db('subnodes as s')
    .join('nodes as n', 'n.id', 's.node_id')
    .whereNot('s.state', 'deleted')
    .whereNotNull('s.external_id')
    .select('n.provider', { externalId: 's.external_id' })) as AlienKey[];
  const known = new Set(
    [...nodes, ...subnodes].map((server) => `${server.provider}\0${server.externalId ?? ''}`),
  );

  return listPerProvider(providers, async (provider) => {
    const servers = await session.context.cloud(provider).listServers();
    return servers
      .filter((server) => !known.has(`${provider}\0${server.id}`))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((server) => toAlien(provider, server));
  });
}

function toAlien(provider: string, server: CloudServer): AlienServer {
  const ip = server.ipv4 ?? server.ipv6 ?? null;
  return { provider, hostname: server.name, serverId: server.id, ip };
}

export function formatAlienServers(servers: readonly AlienServer[], json: boolean): string {
  if (json) return JSON.stringify(servers, null, 2);
  const rows = servers.map((s) => [s.provider, s.hostname, s.serverId, s.ip ?? '']);
  return renderTable(HEADERS, rows);
}
