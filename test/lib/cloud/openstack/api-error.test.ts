import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiError, retryAfter, serverMessage } from '../../../../lib/cloud/openstack/api-error.ts';
import { ErrorCode } from '../../../../lib/errors.ts';

const context = { provider: 'eqiad', service: 'compute', method: 'POST', path: '/servers' };

function response(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: new Headers(headers), text };
}

const quota = 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances';

describe('OpenStack error mapping', () => {
  const cases = [
    { name: '500 compute fault', status: 500,
      body: { computeFault: { code: 500, message: 'Unexpected API Error.' } },
      code: ErrorCode.CloudUnavailable, retryable: true, said: 'Unexpected API Error.' },
    { name: '503 from a proxy in HTML', status: 503,
      body: '<html><body><h1>503 Service Unavailable</h1></body></html>',
      code: ErrorCode.CloudUnavailable, retryable: true, said: '503 Service Unavailable' },
    { name: '413 over quota (legacy v2)', status: 413,
      body: { overLimit: { code: 413, message: quota, retryAfter: '0' } },
      headers: { 'Retry-After': '0' },
      code: ErrorCode.QuotaExceeded, retryable: true, said: quota, retryAfterMs: 0 },
    { name: '403 over quota (microversions)', status: 403,
      body: { forbidden: { code: 403, message: quota } },
      code: ErrorCode.QuotaExceeded, retryable: true, said: quota },
    { name: '413 rate limited with Retry-After', status: 413,
      body: { overLimit: { code: 413, message: 'This request was rate-limited.' } },
      headers: { 'Retry-After': '30' },
      code: ErrorCode.QuotaExceeded, retryable: true, retryAfterMs: 30_000 },
    { name: '403 by policy', status: 403,
      body: { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api to be " +
        'performed.' } },
      code: ErrorCode.CloudRequestRefused, retryable: false },
    { name: '404 not found', status: 404,
      body: { itemNotFound: { code: 404, message: 'Instance abc could not be found.' } },
      code: ErrorCode.CloudNotFound, retryable: false, said: 'Instance abc could not be found.' },
    { name: '401 from keystonemiddleware', status: 401,
      body: { error: { code: 401, title: 'Unauthorized',
        message: 'The request you have made requires authentication.' } },
      code: ErrorCode.CloudAuthFailed, retryable: false },
    { name: '400 bad request', status: 400,
      body: { badRequest: { code: 400, message: 'Invalid flavorRef provided.' } },
      code: ErrorCode.CloudRequestRefused, retryable: false, said: 'Invalid flavorRef provided.' },
    { name: '409 while the instance is busy', status: 409,
      body: { conflictingRequest: { code: 409, message: "Cannot 'delete' instance while it " +
        'is in task_state rebuilding' } },
      code: ErrorCode.CloudRequestRefused, retryable: true },
    { name: '429 too many requests', status: 429, body: 'slow down',
      headers: { 'Retry-After': '2' },
      code: ErrorCode.CloudUnavailable, retryable: true, retryAfterMs: 2000 },
  ];

  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, () => {
      const error = apiError(context, response(c.status, c.body, c.headers));

      assert.equal(error.code, c.code);
      assert.equal(error.retryable, c.retryable);
      assert.match(error.message, /provider 'eqiad'/);
      assert.match(error.message, new RegExp(`POST /servers answered ${c.status}`));
      if (c.said) assert.ok(error.message.includes(c.said), error.message);
      if ('retryAfterMs' in c) assert.equal(error.retryAfterMs, c.retryAfterMs);
    });
  }

  it('never repeats a secret the server echoed back', () => {
    const error = apiError(
      context,
      response(400, { badRequest: { message: 'bad token gAAAAsecret and pw hunter2' } }),
      ['gAAAAsecret', 'hunter2'],
    );
    assert.doesNotMatch(error.message, /gAAAAsecret|hunter2/);
    assert.match(error.message, /\[secret\]/);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2015-06-01T12:00:00Z');
    assert.equal(retryAfter('120', now), 120_000);
    assert.equal(retryAfter('Mon, 01 Jun 2015 12:00:10 GMT', now), 10_000);
    assert.equal(retryAfter('Mon, 01 Jun 2015 11:00:00 GMT', now), 0);
    assert.equal(retryAfter('soon', now), undefined);
    assert.equal(retryAfter(null, now), undefined);
  });

  it("extracts Glance's HTML error text", () => {
    const html = '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n' +
      '  <h1>404 Not Found</h1>\n  No image found with ID x<br /><br />\n </body>\n</html>';
    assert.equal(serverMessage(html), '404 Not Found 404 Not Found No image found with ID x');
  });
});
