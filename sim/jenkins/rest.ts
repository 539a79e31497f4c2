import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../../lib/log.ts';
import { jobJson, masterComputerJson, masterJson } from './api-json.ts';
import { createItem } from './agent-form.ts';
import { chance } from './faults.ts';
import { HttpFailure, json, notFound, page, redirect, type Reply } from './http.ts';
import type { SimJenkins } from './jenkins.ts';

export interface RestOptions {
  user: string;
  apiKey: string;
  port?: number;
  log: Logger;
}

const CRUMB_FIELD = 'Jenkins-Crumb';
const MAX_BODY_BYTES = 1024 * 1024;
const COMPUTER_ACTION = /^computer\/([^/]+)\/(api\/json|config\.xml|toggleOffline|doDelete)$/;

export interface Request {
  method: string;
  path: string;
  /** Query and form fields together, as Jenkins' request parameters are. */
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Jenkins' REST API, the parts whiskpool uses, on 127.0.0.1. Answers carry Jenkins' shapes:
 * JSON from `api/json`, HTML error pages, redirects after a successful POST.
 */
export async function startRest(jenkins: SimJenkins, options: RestOptions) {
  const log = options.log;
  const server: Server = createServer((request, response) => {
    serve(jenkins, options, request, response).catch((error: unknown) => {
      log.error({ err: error }, 'rest handler failed');
      if (!response.headersSent) page(500, 'Oops!', 'A problem occurred')(response);
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  jenkins: SimJenkins,
  options: RestOptions,
  incoming: IncomingMessage,
  response: ServerResponse,
) {
  try {
    const request = await readRequest(incoming);
    return (await answer(jenkins, options, request))(response);
  } catch (error) {
    if (error instanceof HttpFailure) return page(error.status, 'Error', error.message)(response);
    throw error;
  }
}

async function answer(jenkins: SimJenkins, options: RestOptions, request: Request) {
  // The stand-in's own control paths, outside Jenkins' API: no credentials, never faulty.
  if (request.path.startsWith('_sim/')) return simControl(jenkins, request);

  const fault = await injectedFault(jenkins, request.path);
  if (fault) return fault;

  const refusal = authenticate(request, options);
  if (refusal) return refusal;

  if (request.method === 'POST' && !hasCrumb(request, jenkins.crumb)) {
    return page(403, 'Error 403', 'No valid crumb was included in the request');
  }
  return route(jenkins, request);
}

async function readRequest(incoming: IncomingMessage): Promise<Request> {
  const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
  const path = decodePath(url.pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const params = new URLSearchParams(url.search);
  const body = await readBody(incoming);
  if (incoming.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) params.append(key, value);
  }
  return { method: incoming.method ?? 'GET', path, params, headers: incoming.headers, body };
}

function route(jenkins: SimJenkins, request: Request): Reply {
  const { method, path } = request;
  const get = method === 'GET';
  const post = method === 'POST';

  if (get && path === 'crumbIssuer/api/json') {
    return json(200, {
      _class: 'hudson.security.csrf.DefaultCrumbIssuer',
      crumb: jenkins.crumb,
      crumbRequestField: CRUMB_FIELD,
    });
  }
  if (get && path === 'api/json') return json(200, masterJson(jenkins));
  if (post && (path === 'quietDown' || path === 'cancelQuietDown')) {
    jenkins.setQuietingDown(path === 'quietDown');
    return redirect(jenkins.rootUrl);
  }

  if (get && path === 'computer/api/json') {
    const agents = jenkins.listComputers().map((computer) => computer.toJson(jenkins.rootUrl));
    const computers = [masterComputerJson(), ...agents];
    return json(200, {
      _class: 'hudson.model.ComputerSet',
      busyExecutors: computers.filter((c) => !c.idle).length,
      computer: computers,
      displayName: 'Nodes',
      totalExecutors: computers.reduce((sum, c) => sum + (c.offline ? 0 : c.numExecutors), 0),
    });
  }
  if (post && path === 'computer/doCreateItem') return createItem(jenkins, request);

  const computerMatch = COMPUTER_ACTION.exec(path);
  if (computerMatch) {
    const [, name = '', action = ''] = computerMatch;
    return computerAction(jenkins, request, name, action);
  }

  const jobMatch = /^job\/([^/]+)\/api\/json$/.exec(path);
  const job = get && jobMatch ? jobJson(jenkins, jobMatch[1] ?? '') : undefined;
  if (job) return json(200, job);

  return notFound();
}

function computerAction(
  jenkins: SimJenkins,
  request: Request,
  name: string,
  action: string,
): Reply {
  const method = request.method;
  if (name === '(master)' && action === 'api/json' && method === 'GET') {
    return json(200, masterComputerJson());
  }

  const computer = jenkins.computer(name);
  if (!computer) return notFound();

  if (action === 'api/json' && method === 'GET') return json(200, computer.toJson(jenkins.rootUrl));
  if (action === 'config.xml' && method === 'GET') {
    return (response) => {
      response.writeHead(200, { 'content-type': 'application/xml;charset=utf-8' });
      response.end(computer.toConfigXml());
    };
  }
  if (method !== 'POST') return page(405, 'Error 405', 'This URL requires POST');

  if (action === 'doDelete') {
    jenkins.deleteAgent(name);
    return redirect(`${jenkins.rootUrl}computer/`);
  }
  if (action === 'toggleOffline') {
    jenkins.toggleOffline(name, request.params.get('offlineMessage')?.trim() ?? '');
    return redirect(`${jenkins.rootUrl}computer/${encodeURIComponent(name)}/`);
  }
  return page(405, 'Error 405', 'This URL does not take POST');
}

function simControl(jenkins: SimJenkins, request: Request): Reply {
  if (request.path === '_sim/builds' && request.method === 'GET') {
    return json(200, { builds: jenkins.builds() });
  }
  if (request.path === '_sim/faults' && request.method === 'GET') return json(200, jenkins.faults);
  if (request.path === '_sim/faults' && request.method === 'POST') {
    try {
      const patch = JSON.parse(request.body || '{}') as Record<string, unknown>;
      if (patch.rotateCrumb === true) jenkins.rotateCrumb();
      delete patch.rotateCrumb;
      return json(200, jenkins.setFaults(patch));
    } catch (error) {
      return json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return notFound();
}

async function injectedFault(jenkins: SimJenkins, path: string): Promise<Reply | undefined> {
  const faults = jenkins.faults.rest;
  if (faults.pathContains && !path.includes(faults.pathContains)) return undefined;

  if (faults.delayMs > 0) await sleep(faults.delayMs);
  if (faults.failNext > 0) {
    faults.failNext -= 1;
    return page(faults.errorStatus, `Error ${faults.errorStatus}`, 'Injected failure');
  }
  if (chance(faults.errorRate)) {
    return page(faults.errorStatus, `Error ${faults.errorStatus}`, 'Injected failure');
  }
  if (chance(faults.notFoundRate)) return notFound();
  return undefined;
}

function authenticate(request: Request, options: RestOptions): Reply | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) {
    return (response) => {
      response.setHeader('X-You-Are-Authenticated-As', 'anonymous');
      page(403, 'Error 403', 'Authentication required')(response);
    };
  }

  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const token = colon < 0 ? '' : decoded.slice(colon + 1);
  if (sameSecret(user, options.user) && sameSecret(token, options.apiKey)) return undefined;

  return page(401, 'Error 401', `Invalid password/token for user: ${user}`);
}

function hasCrumb(request: Request, crumb: string): boolean {
  const sent = request.headers[CRUMB_FIELD.toLowerCase()] ?? request.params.get(CRUMB_FIELD);
  return typeof sent === 'string' && sameSecret(sent, crumb);
}

/** Compares digests so that neither the length nor the content leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new HttpFailure(400, `malformed URL path ${path.slice(0, 100)}`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpFailure(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
