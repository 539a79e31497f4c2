import { z } from 'zod';

import type { Logger } from '../log.ts';
import { createNodeForm, launcherEndpoint } from './node-config.ts';
import { JenkinsRequester, parseJson, type Answer } from './request.ts';
import type {
  CallHook,
  CreateNodeOutcome,
  DeleteNodeOutcome,
  JenkinsInfo,
  JenkinsNode,
  JenkinsTarget,
  NodeSpec,
  SetOfflineOutcome,
} from './types.ts';

export interface JenkinsClientOptions {
  target: JenkinsTarget;
  log: Logger;
  /** How long one HTTP request may take. Default 30 000 ms. */
  timeoutMs?: number;
  onCall?: CallHook;
}

const computerSchema = z.object({
  _class: z.string().optional(),
  displayName: z.string(),
  offline: z.boolean(),
  temporarilyOffline: z.boolean(),
  idle: z.boolean(),
  numExecutors: z.number().int(),
  offlineCauseReason: z.string().nullish(),
});

const computerSetSchema = z.object({ computer: z.array(computerSchema) });

const infoSchema = z.object({ quietingDown: z.boolean() });

/** Jenkins' wording when `doCreateItem` meets a name in use ("Agent called 'x' already exists"). */
const ALREADY_EXISTS = /already exists/i;

/**
 * The Jenkins REST calls whiskpool makes against one target. Every failure is a
 * WhiskpoolError: `WP_JENKINS_UNAVAILABLE` (retryable) or `WP_JENKINS_REQUEST_REFUSED`.
 */
export class JenkinsClient {
  private readonly http: JenkinsRequester;
  private readonly log: Logger;
  private readonly onCall: CallHook | undefined;

  constructor(options: JenkinsClientOptions) {
    this.log = options.log.child({ target: options.target.name });
    this.http = new JenkinsRequester(options.target, options.timeoutMs ?? 30_000, this.log);
    this.onCall = options.onCall;
  }

  /**
   * Registers a machine as an agent. A node of that name already there counts as created
   * only when it launches on the same host and port: then it is this machine from an earlier,
   * interrupted attempt; otherwise it belongs to another machine and must not be taken over.
   */
  createNode(spec: NodeSpec): Promise<CreateNodeOutcome> {
    return this.timed('CreateNodeTask', async () => {
      const answer = await this.http.request('CreateNodeTask', 'POST', 'computer/doCreateItem', {
        form: createNodeForm(spec),
        accept: nameInUse,
      });
      if (!nameInUse(answer)) {
        const fields = { node: spec.name, host: spec.host, port: spec.port };
        this.log.info(fields, 'jenkins node created');
        return 'created';
      }

      const config = await this.http.request(
        'CreateNodeTask',
        'GET',
        `${computerPath(spec.name)}/config.xml`,
      );
      const existing = launcherEndpoint(config.body);
      if (existing?.host === spec.host && existing.port === spec.port) {
        this.log.info({ node: spec.name }, 'jenkins node already exists for this machine');
        return 'exists';
      }

      const theirs = existing ? `launcher ${existing.host}:${existing.port}` : 'no SSH launcher';
      throw this.http.refused(
        'CreateNodeTask',
        'POST computer/doCreateItem',
        `found node '${spec.name}' already there with ${theirs}, not ${spec.host}:${spec.port}`,
      );
    });
  }

  /** The computer of that name, or null when Jenkins has none. */
  getNode(name: string): Promise<JenkinsNode | null> {
    return this.timed('NodeExistsTask', () => this.fetchNode('NodeExistsTask', name));
  }

  /** Every computer Jenkins has, the master's included (marked `isMaster`). */
  listNodes(): Promise<JenkinsNode[]> {
    return this.timed('ListNodesTask', async () => {
      const path = 'computer/api/json';
      const answer = await this.http.request('ListNodesTask', 'GET', path);
      const parsed = computerSetSchema.safeParse(parseJson(answer.body));
      if (!parsed.success) throw this.malformed('ListNodesTask', path, answer, parsed.error);

      return parsed.data.computer.map(toNode);
    });
  }

  /**
   * Takes a node temporarily offline so that it accepts no further build. Jenkins only offers
   * a toggle, so the node is read first and toggled only when online; if something else took
   * it offline between the read and the toggle, the toggle brought it back, so it is toggled
   * once more.
   */
  setOffline(name: string, message: string): Promise<SetOfflineOutcome> {
    const operation = 'SetNodeOfflineTask';
    return this.timed(operation, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const node = await this.fetchNode(operation, name);
        if (node === null) return 'missing';
        if (node.temporarilyOffline) return attempt === 0 ? 'already-offline' : 'offlined';

        const answer = await this.http.request(
          operation,
          'POST',
          `${computerPath(name)}/toggleOffline`,
          { form: { offlineMessage: message }, notFoundIsAnswer: true },
        );
        if (answer.status === 404) return 'missing';

        const after = await this.fetchNode(operation, name);
        if (after === null) return 'missing';
        if (after.temporarilyOffline) {
          this.log.info({ node: name }, 'jenkins node taken offline');
          return 'offlined';
        }
      }

      throw this.http.refused(
        operation,
        `POST ${computerPath(name)}/toggleOffline`,
        `node '${name}' is still online after toggling`,
      );
    });
  }

  /** Removes the node; one that is already gone counts as removed. */
  deleteNode(name: string): Promise<DeleteNodeOutcome> {
    return this.timed('DeleteNodeTask', async () => {
      const answer = await this.http.request(
        'DeleteNodeTask',
        'POST',
        `${computerPath(name)}/doDelete`,
        { notFoundIsAnswer: true },
      );
      if (answer.status === 404) return 'absent';

      this.log.info({ node: name }, 'jenkins node deleted');
      return 'deleted';
    });
  }

  getInfo(): Promise<JenkinsInfo> {
    return this.timed('GetInfoTask', async () => {
      const answer = await this.http.request('GetInfoTask', 'GET', 'api/json');
      const parsed = infoSchema.safeParse(parseJson(answer.body));
      if (!parsed.success) throw this.malformed('GetInfoTask', 'api/json', answer, parsed.error);

      return { quietingDown: parsed.data.quietingDown };
    });
  }

  private async fetchNode(operation: string, name: string): Promise<JenkinsNode | null> {
    const path = `${computerPath(name)}/api/json`;
    const answer = await this.http.request(operation, 'GET', `${path}?depth=0`, {
      notFoundIsAnswer: true,
    });
    if (answer.status === 404) return null;

    const parsed = computerSchema.safeParse(parseJson(answer.body));
    if (!parsed.success) throw this.malformed(operation, path, answer, parsed.error);
    return toNode(parsed.data);
  }

  private malformed(operation: string, path: string, answer: Answer, error: z.ZodError) {
    if (parseJson(answer.body) === undefined) {
      // A login page or a proxy's error page in place of the API: the URL or user is wrong.
      const type = answer.headers.get('content-type')?.split(';')[0] ?? 'no content type';
      const where = answer.headers.get('location');
      const detail = where === null ? type : `a redirect to ${where}`;
      return this.http.refused(
        operation,
        `GET ${path}`,
        `answered ${answer.status} with a body that is not JSON (${detail})`,
      );
    }

    const issue = error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    return this.http.refused(
      operation,
      `GET ${path}`,
      `answered with unexpected JSON (${where}: ${issue?.message ?? 'invalid'})`,
    );
  }

  private async timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await work();
      ok = true;
      return result;
    } finally {
      this.onCall?.(operation, performance.now() - started, ok);
    }
  }
}

function nameInUse(answer: Answer): boolean {
  return answer.status < 500 && ALREADY_EXISTS.test(answer.body);
}

function computerPath(name: string): string {
  return `computer/${encodeURIComponent(name)}`;
}

function toNode(computer: z.infer<typeof computerSchema>): JenkinsNode {
  return {
    name: computer.displayName,
    offline: computer.offline,
    temporarilyOffline: computer.temporarilyOffline,
    idle: computer.idle,
    numExecutors: computer.numExecutors,
    offlineCauseReason: computer.offlineCauseReason ?? '',
    isMaster: computer._class?.endsWith('MasterComputer') ?? false,
  };
}
