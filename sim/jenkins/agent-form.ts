import type { AgentConfig } from './computer.ts';
import { HttpFailure, redirect, type Reply } from './http.ts';
import type { SimJenkins } from './jenkins.ts';
import type { Request } from './rest.ts';

const DUMB_SLAVE = 'hudson.slaves.DumbSlave$DescriptorImpl';
const SSH_LAUNCHER = 'hudson.plugins.sshslaves.SSHLauncher';
/** Characters Jenkins refuses in item and node names. */
const UNSAFE_CHARACTERS = '?*/\\%!@#$^&|<>[]:;';

/**
 * `computer/doCreateItem`: checks the name and the submitted form as Jenkins does, with its
 * wording, and adds the agent.
 */
export function createItem(jenkins: SimJenkins, request: Request): Reply {
  const name = request.params.get('name')?.trim() ?? '';
  if (name.length === 0) throw new HttpFailure(400, "Query parameter 'name' is required");

  const unsafe = [...name].find((character) => UNSAFE_CHARACTERS.includes(character));
  if (unsafe !== undefined) throw new HttpFailure(400, `‘${unsafe}’ is an unsafe character`);
  if (name === '.' || name === '..') throw new HttpFailure(400, `“${name}” is not an allowed name`);
  if (jenkins.computer(name)) throw new HttpFailure(400, `Agent called ‘${name}’ already exists`);

  if (request.params.get('type') !== DUMB_SLAVE) {
    throw new HttpFailure(400, `No node type ‘${request.params.get('type') ?? ''}’ is known`);
  }

  const config = agentConfig(name, request.params.get('json'), jenkins.launchesWithoutConnecting);
  jenkins.createAgent(config);
  return redirect(`${jenkins.rootUrl}computer/`);
}

/**
 * Reads the `json` form field the node configuration page would submit; `hostless` takes a
 * launcher without a host, for machines that have no address.
 */
function agentConfig(name: string, text: string | null, hostless: boolean): AgentConfig {
  if (text === null) throw new HttpFailure(400, 'This page expects a form submission');

  let form: Record<string, unknown>;
  try {
    form = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new HttpFailure(400, 'This page expects a form submission but had only {}');
  }

  const launcher = (form.launcher ?? {}) as Record<string, unknown>;
  const launcherClass = launcher['stapler-class'] ?? launcher.$class;
  if (launcherClass !== SSH_LAUNCHER) {
    throw new HttpFailure(400, `launcher ‘${String(launcherClass)}’ is not the SSH launcher`);
  }

  const host = launcher.host ?? '';
  const named = typeof host === 'string' && host.trim().length > 0;
  if (typeof host !== 'string' || (!named && !hostless)) {
    throw new HttpFailure(400, 'SSH launcher: Host is required');
  }
  const port = Number(launcher.port ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HttpFailure(400, `SSH launcher: port ‘${String(launcher.port)}’ is not valid`);
  }

  const numExecutors = Number(form.numExecutors ?? 1);
  if (!Number.isInteger(numExecutors) || numExecutors < 1) {
    throw new HttpFailure(400, 'Invalid agent configuration. Number of executors is not valid');
  }

  const config: AgentConfig = {
    name,
    description: String(form.nodeDescription ?? ''),
    labels: String(form.labelString ?? '').split(/\s+/).filter(Boolean),
    remoteFs: String(form.remoteFS ?? ''),
    numExecutors,
    mode: form.mode === 'EXCLUSIVE' ? 'EXCLUSIVE' : 'NORMAL',
    host: host.trim(),
    port,
  };
  if (typeof launcher.credentialsId === 'string') config.credentialsId = launcher.credentialsId;
  if (typeof launcher.username === 'string') config.username = launcher.username;
  return config;
}
