/**
 * A stand-in for Jenkins that speaks its wire formats: the REST API, the ZMQ event
 * publisher plugin and the Gearman plugin's executor workers.
 */
import type { Logger } from '../../lib/log.ts';
import type { CatalogEntry } from './catalog.ts';
import type { BuildRecord, Computer } from './computer.ts';
import { EventPublisher } from './event-publisher.ts';
import type { JenkinsFaults } from './faults.ts';
import { SimJenkins } from './jenkins.ts';
import { DEFAULT_LAUNCH_POLICY, type LaunchPolicy } from './launcher.ts';
import { ManagementWorker } from './management.ts';
import { startRest } from './rest.ts';

export { functionsFor, parseJobList, type CatalogEntry } from './catalog.ts';
export type { BuildRecord, Computer } from './computer.ts';
export { GEARMAN_OFFLINE_MESSAGE } from './executor.ts';
export type { FaultsPatch, JenkinsFaults } from './faults.ts';
export type { SimJenkins } from './jenkins.ts';
export type { LaunchPolicy } from './launcher.ts';

export interface JenkinsSimOptions {
  /** The user and API token every REST request must authenticate with. */
  user: string;
  apiKey: string;
  /** REST port on 127.0.0.1; a free one when absent. */
  port?: number;
  /** ZMQ PUB port on 127.0.0.1; a free one when absent. */
  zmqPort?: number;
  /** gearmand the executor workers connect to; without it agents come online but take no build. */
  gearman?: { host: string; port: number };
  /** The jobs Jenkins has and the label each runs on. */
  catalog: CatalogEntry[];
  buildDurationMs: number;
  /** Share of builds (0..1) that end FAILURE. Default 0. */
  failureRate?: number;
  /** The master's host name. Default `jenkins-sim`. */
  masterName?: string;
  /** How agents reach their machine's SSH endpoint. Default: 30 attempts, 1 s apart. */
  launch?: Partial<LaunchPolicy>;
  log: Logger;
}

export interface JenkinsSim {
  /** Jenkins' root URL, ending in `/`. */
  url: string;
  /** Where the ZMQ event publisher listens, e.g. `tcp://127.0.0.1:8888`. */
  zmqUrl: string;
  /** The stand-in's state: agents, builds, faults. */
  state: SimJenkins;
  builds(): BuildRecord[];
  computer(name: string): Computer | undefined;
  setFaults(patch: unknown): JenkinsFaults;
  close(): Promise<void>;
}

/**
 * Starts the stand-in on 127.0.0.1.
 *
 * @example
 * const jenkins = await startJenkinsSim({ user: 'whiskpool', apiKey: 'k', buildDurationMs: 50,
 *   catalog: [{ job: 'tox-jessie', label: 'ci-jessie' }], gearman: { host, port }, log });
 */
export async function startJenkinsSim(options: JenkinsSimOptions): Promise<JenkinsSim> {
  const log = options.log;
  const state = new SimJenkins({
    catalog: options.catalog,
    buildDurationMs: options.buildDurationMs,
    failureRate: options.failureRate ?? 0,
    masterName: options.masterName ?? 'jenkins-sim',
    gearman: options.gearman,
    launch: { ...DEFAULT_LAUNCH_POLICY, ...options.launch },
    log,
  });

  const events = await EventPublisher.bind(options.zmqPort, () => state.faults.zmq, log);
  state.attachEvents(events);

  const management = options.gearman && new ManagementWorker(state, options.gearman, log);
  void management?.start();

  const rest = await startRest(state, {
    user: options.user,
    apiKey: options.apiKey,
    port: options.port,
    log,
  }).catch(async (error: unknown) => {
    await management?.close();
    await events.close();
    throw error;
  });
  state.rootUrl = rest.url;

  return {
    url: rest.url,
    zmqUrl: events.url,
    state,
    builds: () => state.builds(),
    computer: (name) => state.computer(name),
    setFaults: (patch) => state.setFaults(patch),
    async close() {
      await rest.close();
      await management?.close();
      await state.close();
      await events.close();
    },
  };
}
