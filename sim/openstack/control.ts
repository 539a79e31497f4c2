import type { ServerResponse } from 'node:http';
import { faultChangeProblem, type SimFaults } from './faults.ts';
import { HttpFailure, isRecord, readJson, sendJson, type SimRequest } from './http.ts';
import type { SimImage } from './options.ts';
import type { SimState } from './state.ts';

/** What `/_sim/*` can change, backed by the in-process methods of the same names. */
export interface SimControls {
  state(): SimState;
  setFaults(change: { [K in keyof SimFaults]?: SimFaults[K] | null }): void;
  clearFaults(): void;
  revokeTokens(): void;
  setSettings(settings: SimSettings): void;
  addImage(image: SimImage): Required<SimImage>;
}

export interface SimSettings {
  maxInstances?: number;
  bootDelayMs?: number;
  deleteDelayMs?: number;
  snapshotDelayMs?: number;
  /** How long a job started in the background on a machine runs. */
  jobDurationMs?: number;
  /** Merged into the exit codes by command. */
  commandExitCodes?: Record<string, number>;
}

/**
 * The stand-in's own test API: `GET /_sim/state`, `POST`/`DELETE /_sim/faults`,
 * `POST /_sim/settings`, `POST /_sim/revoke-tokens`, `POST /_sim/images`.
 */
export async function handleControl(
  request: SimRequest,
  response: ServerResponse,
  controls: SimControls,
): Promise<void> {
  const route = `${request.method} ${request.path}`;
  const body = request.method === 'POST'
    ? await readJson(request.raw, invalid('the body is not JSON'))
    : undefined;

  switch (route) {
    case 'GET /state':
      sendJson(response, 200, controls.state());
      return;
    case 'GET /faults':
      sendJson(response, 200, controls.state().faults);
      return;
    case 'POST /faults': {
      const problem = faultChangeProblem(body);
      if (problem) throw invalid(problem);
      controls.setFaults(body as SimFaults);
      sendJson(response, 200, controls.state().faults);
      return;
    }
    case 'DELETE /faults':
      controls.clearFaults();
      sendJson(response, 200, {});
      return;
    case 'POST /revoke-tokens':
      controls.revokeTokens();
      sendJson(response, 200, {});
      return;
    case 'POST /settings':
      controls.setSettings(settings(body));
      sendJson(response, 200, {});
      return;
    case 'POST /images': {
      if (!isRecord(body) || typeof body.name !== 'string') throw invalid('an image needs a name');
      sendJson(response, 201, controls.addImage(body as unknown as SimImage));
      return;
    }
    default:
      throw new HttpFailure(404, JSON.stringify({ error: `no sim control ${route}` }), {
        'Content-Type': 'application/json',
      });
  }
}

function settings(body: unknown): SimSettings {
  if (!isRecord(body)) throw invalid('expected a JSON object of settings');
  const out: SimSettings = {};
  const keys = [
    'maxInstances',
    'bootDelayMs',
    'deleteDelayMs',
    'snapshotDelayMs',
    'jobDurationMs',
  ] as const;
  for (const key of keys) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw invalid(`${key} must be an integer`);
    }
    out[key] = value;
  }
  if (body.commandExitCodes !== undefined) {
    const codes = body.commandExitCodes;
    if (!isRecord(codes) || Object.values(codes).some((code) => !Number.isInteger(code))) {
      throw invalid('commandExitCodes must map commands to integer exit codes');
    }
    out.commandExitCodes = codes as Record<string, number>;
  }
  return out;
}

function invalid(reason: string): HttpFailure {
  return new HttpFailure(400, JSON.stringify({ error: reason }), {
    'Content-Type': 'application/json',
  });
}
