import type { Reply } from './support/http-stand-in.ts';

/**
 * Broken answers from Jenkins' REST API. Each is given to JenkinsClient, which must fail the
 * call with `code` and a message holding every `mentions` entry, and never the API key.
 */
export type JenkinsCall =
  | 'getInfo'
  | 'listNodes'
  | 'getNode'
  | 'createNode'
  | 'setOffline'
  | 'deleteNode';

export interface JenkinsCase {
  name: string;
  reply: (method: string, path: string) => Reply;
  call: JenkinsCall;
  code: string;
  mentions: string[];
}

/** The key the client is given; no message may hold it. */
export const CORPUS_API_KEY = 'corpus-jenkins-key-7f3a9c';

const REFUSED = 'WP_JENKINS_REQUEST_REFUSED';
const UNAVAILABLE = 'WP_JENKINS_UNAVAILABLE';

const always = (reply: Reply) => () => reply;

/** No crumb issuer (CSRF off), and `reply` for everything else. */
const noCrumb = (reply: Reply) => (_method: string, path: string) =>
  path.startsWith('/crumbIssuer') ? { status: 404, body: '' } : reply;

const NODE = {
  displayName: 'n1',
  offline: false,
  temporarilyOffline: false,
  idle: true,
  numExecutors: 1,
};

export const JENKINS_CASES: JenkinsCase[] = [
  {
    name: 'a login page in place of api/json',
    reply: always({
      body: '<html><body>Log in</body></html>',
      headers: { 'content-type': 'text/html' },
    }),
    call: 'getInfo',
    code: REFUSED,
    mentions: ['GET api/json answered 200 with a body that is not JSON (text/html)'],
  },
  {
    name: 'a redirect to the login page',
    reply: always({ status: 302, body: '', headers: { location: '/login?from=%2Fapi%2Fjson' } }),
    call: 'getInfo',
    code: REFUSED,
    mentions: ['answered 302', 'a redirect to /login'],
  },
  {
    name: 'JSON cut in the middle',
    reply: always({ body: '{"quietingDown": fa' }),
    call: 'getInfo',
    code: REFUSED,
    mentions: ['not JSON'],
  },
  {
    name: 'quietingDown as text',
    reply: always({ body: { quietingDown: 'no' } }),
    call: 'getInfo',
    code: REFUSED,
    mentions: ['unexpected JSON (quietingDown: Expected boolean, received string)'],
  },
  {
    name: 'an empty body',
    reply: always({ body: '' }),
    call: 'getInfo',
    code: REFUSED,
    mentions: ['not JSON'],
  },
  {
    name: 'an answer of 40 MiB',
    reply: always({ streamBytes: 40 * 1024 * 1024 }),
    call: 'getInfo',
    code: UNAVAILABLE,
    mentions: ['larger than the 33554432 bytes allowed'],
  },
  {
    name: 'a 503 while Jenkins starts',
    reply: always({ status: 503, body: '<p>Jenkins is getting ready to work</p>' }),
    call: 'getInfo',
    code: UNAVAILABLE,
    mentions: ['answered 503: Jenkins is getting ready to work'],
  },
  {
    name: 'an error page that echoes the API key',
    reply: always({ status: 500, body: `<html><body>bad token ${CORPUS_API_KEY}</body></html>` }),
    call: 'getInfo',
    code: UNAVAILABLE,
    mentions: ['answered 500: bad token [secret]'],
  },
  {
    name: 'a computer list that is a string',
    reply: always({ body: { computer: 'x' } }),
    call: 'listNodes',
    code: REFUSED,
    mentions: ['computer: Expected array'],
  },
  {
    name: 'a computer that is null',
    reply: always({ body: { computer: [null] } }),
    call: 'listNodes',
    code: REFUSED,
    mentions: ['computer.0: Expected object, received null'],
  },
  {
    name: 'a computer without a display name',
    reply: always({ body: { computer: [{ ...NODE, displayName: undefined }] } }),
    call: 'listNodes',
    code: REFUSED,
    mentions: ['computer.0.displayName: Required'],
  },
  {
    name: 'a node whose executor count is text',
    reply: always({ body: { ...NODE, numExecutors: 'one' } }),
    call: 'getNode',
    code: REFUSED,
    mentions: ['numExecutors: Expected number'],
  },
  {
    name: 'a crumb issuer answering HTML',
    reply: always({ body: '<html/>' }),
    call: 'createNode',
    code: REFUSED,
    mentions: ['GET crumbIssuer/api/json answered without a crumb'],
  },
  {
    name: 'a crumb that is a number',
    reply: always({ body: { crumb: 5, crumbRequestField: 'Jenkins-Crumb' } }),
    call: 'createNode',
    code: REFUSED,
    mentions: ['answered without a crumb'],
  },
  {
    name: 'an existing node whose config.xml is garbage',
    reply: (_method, path) =>
      path.startsWith('/crumbIssuer')
        ? { status: 404, body: '' }
        : path.endsWith('/config.xml')
          ? { body: '<<<not xml', headers: { 'content-type': 'application/xml' } }
          : { status: 400, body: 'A node called corpus-node already exists' },
    call: 'createNode',
    code: REFUSED,
    mentions: ["found node 'corpus-node' already there with no SSH launcher"],
  },
  {
    name: 'a toggle that does not take the node offline',
    reply: (method, path) =>
      path.startsWith('/crumbIssuer')
        ? { status: 404, body: '' }
        : method === 'GET'
          ? { body: NODE }
          : { status: 302, body: '' },
    call: 'setOffline',
    code: REFUSED,
    mentions: ["node 'corpus-node' is still online after toggling"],
  },
  {
    name: 'a delete refused with 403',
    reply: noCrumb({ status: 403, body: '<html><body>Access Denied</body></html>' }),
    call: 'deleteNode',
    code: REFUSED,
    mentions: ['POST computer/corpus-node/doDelete answered 403: Access Denied'],
  },
];
