import { ErrorCode, WhiskpoolError } from '../errors.ts';
import { readyScriptCommand } from '../image/scripts.ts';
import { loginAsAnyOf, type TemplateSession } from '../image/template-host.ts';
import type { Node } from '../node/node.ts';
import { liveSubnodes } from '../node/subnode.ts';
import type { PoolContext } from './context.ts';
import { imageFor, labelOf, providerOf } from './topology.ts';

/** Where Nodepool's images keep the files a multi-machine job reads about its set. */
const INFO_DIR = '/etc/nodepool';
const LOGIN_TIMEOUT_MS = 10_000;
const SCRIPT_TIMEOUT_MS = 60_000;

interface Member {
  role: 'primary' | 'sub';
  ip: string;
  port: number;
  serverId: string;
  hostname: string | null;
}

/**
 * Tells every machine of a node set about the others, as Nodepool did: over SFTP it writes
 * `/etc/nodepool/` `role`, `node`, `node_private`, `primary_node`, `primary_node_private`,
 * `sub_nodes`, `sub_nodes_private`, `provider`, `uuid` and a key pair made for this set
 * (`id_rsa`, `id_rsa.pub`), then runs the label's ready script on each subnode. The primary's
 * ready script runs after, with its own login check. The cloud gives whiskpool one address
 * per server, so the `_private` files hold the same ones.
 *
 * Throws ReadyCheckFailed while a machine does not let us in yet, and LaunchFailed when a
 * subnode's ready script fails.
 */
export async function shareNodeSetInfo(ctx: PoolContext, node: Node): Promise<void> {
  const subnodes = await liveSubnodes(ctx.db, node.id);
  if (subnodes.length === 0) return;

  const provider = providerOf(ctx.config, node.provider);
  const image = imageFor(ctx.config, node.label, node.provider);
  const label = labelOf(ctx.config, node.label);
  const members: Member[] = [
    memberOf('primary', node.ip, node.sshPort, node.externalId, node.hostname),
    ...subnodes.map((s) => memberOf('sub', s.ip, s.sshPort, s.externalId, s.hostname)),
  ];
  const primaryIp = members[0]!.ip;
  const subIps = members.filter((m) => m.role === 'sub').map((m) => m.ip);

  const privateKey = await ctx.readPrivateKey(image.privateKey);
  const sessions = await logInToAll(ctx, members, image.username, privateKey);
  try {
    // Made only once every machine lets us in: an RSA key costs tens of milliseconds of CPU,
    // and a set still booting is asked again and again.
    const keys = await rsaKeyPair();
    const shared: Record<string, string> = {
      primary_node: line(primaryIp),
      primary_node_private: line(primaryIp),
      sub_nodes: subIps.map(line).join(''),
      sub_nodes_private: subIps.map(line).join(''),
      'id_rsa.pub': line(keys.public.trim()),
      provider:
        `NODEPOOL_PROVIDER=${node.provider}\n` +
        `NODEPOOL_REGION=${provider.regionName ?? ''}\n` +
        `NODEPOOL_AZ=${node.az ?? ''}\n`,
    };

    await Promise.all(
      members.map(async (member, i) => {
        const session = sessions[i]!;
        const own = {
          role: line(member.role),
          node: line(member.ip),
          node_private: line(member.ip),
          uuid: line(member.serverId),
        };
        for (const [name, content] of Object.entries({ ...own, ...shared })) {
          await session.upload(`${INFO_DIR}/${name}`, Buffer.from(content), 0o644);
        }
        await session.upload(`${INFO_DIR}/id_rsa`, Buffer.from(keys.private), 0o600);

        if (member.role === 'sub' && label.readyScript) {
          const command = readyScriptCommand(label.readyScript, member.hostname);
          const result = await session.run(command, SCRIPT_TIMEOUT_MS);
          if (result.exitCode !== 0) {
            throw new WhiskpoolError(
              ErrorCode.LaunchFailed,
              `ready script ${label.readyScript} exited ${result.exitCode} on subnode ` +
                member.hostname,
            );
          }
        }
      }),
    );
  } finally {
    for (const session of sessions) session.close();
  }
}

/** One session per member, or ReadyCheckFailed (and none left open) if any refuses yet. */
async function logInToAll(
  ctx: PoolContext,
  members: Member[],
  username: string,
  privateKey: Buffer,
): Promise<TemplateSession[]> {
  const logins = await Promise.all(
    members.map((member) =>
      loginAsAnyOf(
        {
          host: member.ip,
          port: member.port,
          usernames: [username],
          privateKey,
          timeoutMs: LOGIN_TIMEOUT_MS,
        },
        ctx.log,
      ),
    ),
  );
  const sessions = logins.flatMap((login) => ('session' in login ? [login.session] : []));
  const refused = logins.findIndex((login) => 'refused' in login);
  if (refused >= 0) {
    for (const session of sessions) session.close();
    const login = logins[refused] as { refused: string };
    throw new WhiskpoolError(
      ErrorCode.ReadyCheckFailed,
      `${members[refused]!.role}: ${login.refused}`,
    );
  }
  return sessions;
}

function memberOf(
  role: Member['role'],
  ip: string | null,
  port: number | null,
  serverId: string | null,
  hostname: string | null,
): Member {
  if (!ip || !serverId) {
    throw new WhiskpoolError(ErrorCode.ReadyCheckFailed, `a ${role} node has no address yet`);
  }
  return { role, ip, port: port ?? 22, serverId, hostname };
}

function line(text: string): string {
  return `${text}\n`;
}

/** A fresh 2048-bit RSA pair in OpenSSH's formats, as Nodepool made for each node set. */
async function rsaKeyPair(): Promise<{ private: string; public: string }> {
  const { default: ssh2 } = await import('ssh2');
  return new Promise((resolve, reject) => {
    ssh2.utils.generateKeyPair('rsa', { bits: 2048 }, (error, keys) => {
      if (error) reject(error);
      else resolve(keys);
    });
  });
}
