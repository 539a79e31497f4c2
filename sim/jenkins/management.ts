import type { Logger } from '../../lib/log.ts';
import { GearmanWorker, type GearmanJob } from '../gearman/index.ts';
import type { SimJenkins } from './jenkins.ts';

/**
 * The Gearman plugin's management worker, one per master: `stop:<master>` aborts a running
 * build, `set_description:<master>` sets a build's description; Zuul calls both.
 */
export class ManagementWorker {
  private readonly worker: GearmanWorker;

  constructor(
    private readonly jenkins: SimJenkins,
    gearman: { host: string; port: number },
    private readonly log: Logger,
  ) {
    const master = jenkins.masterName;
    this.worker = new GearmanWorker({
      host: gearman.host,
      port: gearman.port,
      clientId: `${master}_manager`,
      log,
    });
    this.worker.setFunctions([`stop:${master}`, `set_description:${master}`]);
    this.worker.setHandler((job) => this.handle(job));
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  close(): Promise<void> {
    return this.worker.close();
  }

  private async handle(job: GearmanJob) {
    const request = parseRequest(job.payload);
    const build = request && this.jenkins.findBuild(request.name, request.number);

    // The plugin throws when it cannot find the build, which Gearman reports as a failure.
    if (!request || !build) {
      this.log.warn({ fn: job.functionName }, 'management request names no known build');
      await job.fail();
      return;
    }

    if (job.functionName.startsWith('stop:')) {
      const stopped = this.jenkins.abortBuild(build.job, build.number);
      this.log.info({ job: build.job, number: build.number, stopped }, 'stop requested');
    } else {
      build.description = request.description ?? '';
    }
    await job.complete();
  }
}

interface ManagementRequest {
  name: string;
  number: number;
  description?: string;
}

function parseRequest(payload: Buffer): ManagementRequest | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;

  const { name, number, html_description: description } = parsed as Record<string, unknown>;
  const buildNumber = Number(number);
  if (typeof name !== 'string' || !Number.isInteger(buildNumber)) return undefined;
  return {
    name,
    number: buildNumber,
    ...(typeof description === 'string' ? { description } : {}),
  };
}
