/**
 * The build parameters Zuul v2 sends as the Gearman job's JSON argument for a change, as in
 * zuul/launcher/gearman.py of late 2015, plus what Wikimedia's `offline_when_complete`
 * parameter function adds. The Gearman plugin turns every key into a Jenkins build parameter.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface Change {
  project: string;
  pipeline: string;
  branch: string;
  change: number;
  patchset: number;
}

export interface ParameterOptions {
  zuulUrl: string;
  voting: boolean;
}

export type BuildParameters = Record<string, string>;

export function buildParameters(job: string, change: Change, options: ParameterOptions) {
  const uuid = randomUUID().replaceAll('-', '');
  const { project, pipeline, branch } = change;
  const number = String(change.change);
  const patchset = String(change.patchset);
  // Gerrit shards change refs by the change number's last two digits.
  const shard = number.slice(-2).padStart(2, '0');
  const baseLogPath = `${shard}/${number}/${patchset}`;

  const parameters: BuildParameters = {
    ZUUL_UUID: uuid,
    ZUUL_PROJECT: project,
    ZUUL_PIPELINE: pipeline,
    ZUUL_URL: options.zuulUrl,
    ZUUL_BRANCH: branch,
    ZUUL_CHANGE: number,
    ZUUL_PATCHSET: patchset,
    ZUUL_REF: `refs/zuul/${branch}/Z${randomUUID().replaceAll('-', '')}`,
    ZUUL_COMMIT: randomBytes(20).toString('hex'),
    ZUUL_CHANGES: `${project}:${branch}:refs/changes/${shard}/${number}/${patchset}`,
    ZUUL_CHANGE_IDS: `${number},${patchset}`,
    ZUUL_VOTING: options.voting ? '1' : '0',
    BASE_LOG_PATH: baseLogPath,
    LOG_PATH: `${baseLogPath}/${pipeline}/${job}/${uuid.slice(0, 7)}`,
    OFFLINE_NODE_WHEN_COMPLETE: '1',
  };
  return parameters;
}
