import type { NodeSpec } from './types.ts';

/** The descriptor `computer/doCreateItem` needs to make a permanent ("dumb") agent. */
export const DUMB_SLAVE_TYPE = 'hudson.slaves.DumbSlave$DescriptorImpl';

const SSH_LAUNCHER = 'hudson.plugins.sshslaves.SSHLauncher';

/**
 * The form `computer/doCreateItem` takes, shaped as Nodepool sent it: one executor, EXCLUSIVE
 * so that only jobs asking for the label run there, always kept connected, launched over SSH.
 */
export function createNodeForm(spec: NodeSpec): Record<string, string> {
  const launcher: Record<string, string | number> = {
    'stapler-class': SSH_LAUNCHER,
    $class: SSH_LAUNCHER,
    host: spec.host,
    port: spec.port,
  };
  if (spec.credentialsId !== undefined) launcher.credentialsId = spec.credentialsId;
  if (spec.username !== undefined) launcher.username = spec.username;

  const json = {
    name: spec.name,
    nodeDescription: spec.description,
    numExecutors: 1,
    remoteFS: spec.remoteFs,
    labelString: spec.labels.join(' '),
    mode: 'EXCLUSIVE',
    type: DUMB_SLAVE_TYPE,
    retentionStrategy: { 'stapler-class': 'hudson.slaves.RetentionStrategy$Always' },
    nodeProperties: { 'stapler-class-bag': 'true' },
    launcher,
  };

  return { name: spec.name, type: DUMB_SLAVE_TYPE, json: JSON.stringify(json) };
}

export interface LauncherEndpoint {
  host: string;
  port: number;
}

/** The SSH endpoint in a node's `config.xml`, or undefined when it has no SSH launcher. */
export function launcherEndpoint(configXml: string): LauncherEndpoint | undefined {
  const launcher = /<launcher\b[^>]*>([\s\S]*?)<\/launcher>/.exec(configXml)?.[1];
  if (launcher === undefined) return undefined;

  const host = /<host>([^<]*)<\/host>/.exec(launcher)?.[1];
  const port = /<port>\s*(\d+)\s*<\/port>/.exec(launcher)?.[1];
  if (host === undefined) return undefined;

  // SSHLauncher falls back to port 22 when the field is left out.
  return { host: decodeXmlText(host.trim()), port: port === undefined ? 22 : Number(port) };
}

function decodeXmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
