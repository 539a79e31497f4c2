/** One Jenkins master whiskpool registers machines on: a nodepool `targets[]` entry. */
export interface JenkinsTarget {
  /** The target's name, used in messages and metrics. */
  name: string;
  /** Root URL of Jenkins, e.g. `https://integration.wikimedia.org/ci/`. */
  url: string;
  user: string;
  /** The user's API token. Sent only in the Authorization header, never logged. */
  apiKey: string;
}

/**
 * Reports each client operation once it ends, named like Nodepool's Jenkins tasks
 * (`CreateNodeTask`, `NodeExistsTask`, `DeleteNodeTask`, ...) so timers keep their names.
 */
export type CallHook = (operation: string, ms: number, ok: boolean) => void;

/** What whiskpool asks Jenkins to create: a one-executor, exclusive, SSH-launched agent. */
export interface NodeSpec {
  name: string;
  description: string;
  labels: string[];
  /** The agent's working directory on the machine, e.g. `/home/jenkins`. */
  remoteFs: string;
  /** The machine's SSH endpoint that Jenkins' SSH launcher connects to. */
  host: string;
  port: number;
  /** Jenkins credentials to log in with; without them Jenkins uses `username` and its own key. */
  credentialsId?: string;
  username?: string;
}

/** A Jenkins computer as `computer/NAME/api/json` describes it. */
export interface JenkinsNode {
  name: string;
  /** Not connected, for any reason: never launched, launch failed, or taken offline. */
  offline: boolean;
  /** Taken offline on purpose (by a user, REST or the Gearman plugin); stays so until toggled. */
  temporarilyOffline: boolean;
  /** No executor is running a build. */
  idle: boolean;
  numExecutors: number;
  /** Why the computer is offline, as its offline cause says; empty when online. */
  offlineCauseReason: string;
  /** The Jenkins master's own computer, which whiskpool never manages. */
  isMaster: boolean;
}

export interface JenkinsInfo {
  /** Jenkins is preparing to shut down and starts no new builds. */
  quietingDown: boolean;
}

/** How `createNode` ended: a new agent, or one with the same launcher endpoint already there. */
export type CreateNodeOutcome = 'created' | 'exists';

/** How `setOffline` ended. */
export type SetOfflineOutcome = 'offlined' | 'already-offline' | 'missing';

/** How `deleteNode` ended. */
export type DeleteNodeOutcome = 'deleted' | 'absent';
