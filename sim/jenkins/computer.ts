/** A build one of the stand-in's agents ran, kept so tests can check single use. */
export interface BuildRecord {
  job: string;
  number: number;
  nodeName: string;
  /** The machine's SSH endpoint, `host:port`, the one thing that identifies the machine. */
  launcher: string;
  /** The SSH banner the machine answered with when the agent was launched. */
  machine: string;
  /** The Gearman unique id the build was submitted with (Zuul's ZUUL_UUID). */
  unique: string;
  /** Null while the build runs. */
  result: string | null;
  startedAt: string;
  endedAt: string | null;
  /** When `onFinalized` was published, the last thing Jenkins says about a build. */
  finalizedAt?: string;
  parameters: Record<string, string>;
  /** Set through the `set_description` Gearman function. */
  description?: string;
}

/** What `computer/doCreateItem` was asked to make. */
export interface AgentConfig {
  name: string;
  description: string;
  labels: string[];
  remoteFs: string;
  numExecutors: number;
  mode: string;
  host: string;
  port: number;
  credentialsId?: string;
  username?: string;
}

/** Where the launcher is with the machine. */
export type Connection = 'connecting' | 'online' | 'launch-failed';

/** The description Jenkins' LaunchFailed offline cause gives. */
const LAUNCH_FAILED =
  'This agent is offline because Jenkins failed to launch the agent process on it.';

/** One Jenkins agent ("computer") and what it is doing. */
export class Computer {
  connection: Connection = 'connecting';
  /** The SSH banner of the machine the agent runs on, once launched. */
  banner = '';
  temporarilyOffline = false;
  offlineMessage = '';
  deleted = false;
  build: BuildRecord | null = null;
  readonly launchAbort = new AbortController();

  constructor(readonly config: AgentConfig) {}

  get name() {
    return this.config.name;
  }

  get launcher() {
    return `${this.config.host}:${this.config.port}`;
  }

  get offline() {
    return this.temporarilyOffline || this.connection !== 'online';
  }

  /** Whether its executor may be offered Gearman work at all. */
  get registers() {
    return !this.deleted && !this.temporarilyOffline && this.connection === 'online';
  }

  takeOffline(message: string) {
    this.temporarilyOffline = true;
    this.offlineMessage = message;
  }

  bringOnline() {
    this.temporarilyOffline = false;
    this.offlineMessage = '';
  }

  /** The object `computer/NAME/api/json` answers with, shaped like Jenkins' SlaveComputer. */
  toJson(rootUrl: string) {
    const build = this.build;
    return {
      _class: 'hudson.slaves.SlaveComputer',
      actions: [],
      assignedLabels: [...this.config.labels, this.name].map((name) => ({ name })),
      description: this.config.description,
      displayName: this.name,
      executors: [
        {
          currentExecutable: build && {
            _class: 'hudson.model.FreeStyleBuild',
            number: build.number,
            url: `${rootUrl}job/${encodeURIComponent(build.job)}/${build.number}/`,
          },
          idle: build === null,
          number: 0,
          progress: build === null ? -1 : 50,
        },
      ],
      icon: this.offline ? 'computer-x.png' : 'computer.png',
      iconClassName: this.offline ? 'icon-computer-x' : 'icon-computer',
      idle: build === null,
      jnlpAgent: false,
      launchSupported: true,
      loadStatistics: { _class: 'hudson.model.Label$1' },
      manualLaunchAllowed: true,
      monitorData: {},
      numExecutors: this.config.numExecutors,
      offline: this.offline,
      offlineCause: this.offlineCause(),
      offlineCauseReason: this.offlineCauseReason(),
      oneOffExecutors: [],
      temporarilyOffline: this.temporarilyOffline,
    };
  }

  /** The agent's `config.xml`, with the SSH launcher's endpoint where Jenkins writes it. */
  toConfigXml() {
    const c = this.config;
    const credentials = c.credentialsId
      ? `<credentialsId>${xml(c.credentialsId)}</credentialsId>`
      : '';
    return [
      "<?xml version='1.1' encoding='UTF-8'?>",
      '<slave>',
      `  <name>${xml(c.name)}</name>`,
      `  <description>${xml(c.description)}</description>`,
      `  <remoteFS>${xml(c.remoteFs)}</remoteFS>`,
      `  <numExecutors>${c.numExecutors}</numExecutors>`,
      `  <mode>${xml(c.mode)}</mode>`,
      '  <retentionStrategy class="hudson.slaves.RetentionStrategy$Always"/>',
      '  <launcher class="hudson.plugins.sshslaves.SSHLauncher" plugin="ssh-slaves@1.9">',
      `    <host>${xml(c.host)}</host>`,
      `    <port>${c.port}</port>`,
      `    ${credentials}`,
      '  </launcher>',
      `  <label>${xml(c.labels.join(' '))}</label>`,
      '  <nodeProperties/>',
      '</slave>',
      '',
    ].join('\n');
  }

  private offlineCause() {
    if (this.temporarilyOffline) {
      return {
        _class: 'hudson.slaves.OfflineCause$UserCause',
        description: `Disconnected by jenkins : ${this.offlineMessage}`,
      };
    }
    if (this.connection === 'launch-failed') {
      return { _class: 'hudson.slaves.OfflineCause$LaunchFailed', description: LAUNCH_FAILED };
    }
    return null;
  }

  private offlineCauseReason() {
    if (this.temporarilyOffline) return this.offlineMessage;
    if (this.connection === 'launch-failed') return LAUNCH_FAILED;
    return '';
  }
}

function xml(text: string) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
