import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { ErrorCode, isWhiskpoolError } from '../../../lib/errors.ts';
import {
  MAX_FRAME_BYTES,
  offlineWhenComplete,
  parseBuildEvent,
  type BuildEvent,
} from '../../../lib/jenkins/build-event.ts';

const SAMPLES = new URL(
  '../../../../shared/data/events/zmq_jenkins_events_from_nodepool_fake-servers.txt',
  import.meta.url,
);

/** The real frames from Nodepool's fake servers, with a real node name put in. */
function sampleFrames(): string[] {
  return readFileSync(SAMPLES, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('on'))
    .map((line) => line.replaceAll('NODE-NAME-PLACEHOLDER', 'ci-jessie-wikimedia-12345'));
}

function frame(topic: string, document: unknown): string {
  return `${topic} ${JSON.stringify(document)}`;
}

function build(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tox-jessie',
    url: 'job/tox-jessie/',
    build: {
      full_url: 'https://integration.wikimedia.org/ci/job/tox-jessie/7/',
      number: 7,
      phase: 'COMPLETED',
      status: 'FAILURE',
      url: 'job/tox-jessie/7/',
      node_name: 'ci-jessie-wikimedia-4242',
      host_name: 'gallium.wikimedia.org',
      parameters: { ZUUL_UUID: 'abc', OFFLINE_NODE_WHEN_COMPLETE: '1' },
      ...fields,
    },
  };
}

describe('parseBuildEvent', () => {
  it('reads the real sample frames from the ZMQ event publisher', () => {
    const [started, finalized] = sampleFrames().map((line) => parseBuildEvent(line));

    assert.deepEqual(started, {
      phase: 'started',
      job: 'test',
      number: 1,
      nodeName: 'ci-jessie-wikimedia-12345',
      onMaster: false,
      url: 'job/test/1/',
      fullUrl: 'http://localhost:8080/job/test/1/',
      parameters: {},
    } satisfies BuildEvent);

    assert.equal(finalized?.phase, 'finalized');
    assert.equal(finalized?.status, 'SUCCESS');
    assert.equal(finalized?.parameters.ZUUL_PROJECT, 'openstack/cinder');
    assert.equal(finalized?.parameters.ZUUL_UUID, 'bf0f21577026492a985ca98a9ea14cc1');
    assert.equal(Object.keys(finalized?.parameters ?? {}).length, 14);
    assert.equal(offlineWhenComplete(finalized?.parameters ?? {}), true);
  });

  const valid: Array<{ name: string; frame: string | Buffer; expect: Partial<BuildEvent> }> = [
    {
      name: 'a completed build with every field',
      frame: frame('onCompleted', build()),
      expect: {
        phase: 'completed',
        job: 'tox-jessie',
        number: 7,
        nodeName: 'ci-jessie-wikimedia-4242',
        onMaster: false,
        status: 'FAILURE',
        hostName: 'gallium.wikimedia.org',
        fullUrl: 'https://integration.wikimedia.org/ci/job/tox-jessie/7/',
      },
    },
    {
      name: 'a frame given as a Buffer',
      frame: Buffer.from(frame('onFinalized', build({ phase: 'FINISHED', status: 'ABORTED' }))),
      expect: { phase: 'finalized', status: 'ABORTED' },
    },
    {
      name: 'a build on the master (empty node name)',
      frame: frame('onStarted', build({ phase: 'STARTED', status: undefined, node_name: '' })),
      expect: { phase: 'started', nodeName: '', onMaster: true, status: undefined },
    },
    {
      name: 'a build without parameters',
      frame: frame('onStarted', build({ phase: 'STARTED', parameters: undefined })),
      expect: { parameters: {} },
    },
    {
      name: 'a build without full_url (Jenkins root URL unset)',
      frame: frame('onStarted', build({ phase: 'STARTED', full_url: undefined })),
      expect: { fullUrl: undefined, url: 'job/tox-jessie/7/' },
    },
    {
      name: 'topic and JSON separated by a tab and extra spaces',
      frame: `onStarted\t  ${JSON.stringify(build({ phase: 'STARTED' }))}`,
      expect: { phase: 'started' },
    },
    {
      name: 'a node name with unicode',
      frame: frame('onStarted', build({ phase: 'STARTED', node_name: 'nœud-1' })),
      expect: { nodeName: 'nœud-1' },
    },
  ];

  for (const testCase of valid) {
    it(`accepts ${testCase.name}`, () => {
      const event = parseBuildEvent(testCase.frame);
      for (const [key, value] of Object.entries(testCase.expect)) {
        assert.deepEqual(event[key as keyof BuildEvent], value, key);
      }
    });
  }

  const invalid: Array<{ name: string; frame: string | Buffer; message: RegExp }> = [
    { name: 'an empty frame', frame: '', message: /no topic/ },
    { name: 'a topic without JSON', frame: 'onStarted', message: /no topic/ },
    { name: 'JSON without a topic', frame: JSON.stringify(build()), message: /no topic/ },
    {
      name: 'an unknown topic',
      frame: frame('onDeleted', build()),
      message: /unknown topic 'onDeleted'/,
    },
    {
      name: 'a topic in the wrong case',
      frame: frame('onstarted', build({ phase: 'STARTED' })),
      message: /unknown topic/,
    },
    {
      name: 'truncated JSON',
      frame: frame('onCompleted', build()).slice(0, 80),
      message: /onCompleted: JSON does not parse, truncated/,
    },
    { name: 'JSON that is an array', frame: 'onStarted [1,2]', message: /an array, not an object/ },
    { name: 'JSON that is a string', frame: 'onStarted "x"', message: /a string, not an object/ },
    { name: 'JSON null', frame: 'onStarted null', message: /null, not an object/ },
    {
      name: 'a missing job name',
      frame: frame('onCompleted', { ...build(), name: undefined }),
      message: /'name' \(the job\) is missing/,
    },
    {
      name: 'a missing build object',
      frame: frame('onCompleted', { name: 'x', url: 'job/x/' }),
      message: /job 'x': 'build' is missing/,
    },
    {
      name: 'a build that is not an object',
      frame: frame('onCompleted', { name: 'x', build: 'y' }),
      message: /'build' is missing/,
    },
    {
      name: 'a missing node_name',
      frame: frame('onCompleted', build({ node_name: undefined })),
      message: /build.node_name is missing, not a string/,
    },
    {
      name: 'a numeric node_name',
      frame: frame('onCompleted', build({ node_name: 12 })),
      message: /build.node_name is 12, not a string/,
    },
    {
      name: 'a missing build number',
      frame: frame('onCompleted', build({ number: undefined })),
      message: /build.number is missing/,
    },
    {
      name: 'a build number given as a string',
      frame: frame('onCompleted', build({ number: '7' })),
      message: /build.number is '7', not a positive whole number/,
    },
    {
      name: 'a fractional build number',
      frame: frame('onCompleted', build({ number: 7.5 })),
      message: /build.number is 7.5/,
    },
    {
      name: 'a build number of zero',
      frame: frame('onCompleted', build({ number: 0 })),
      message: /build.number is 0/,
    },
    {
      name: 'a phase that does not match the topic',
      frame: frame('onStarted', build({ phase: 'FINISHED' })),
      message: /build.phase is 'FINISHED', but onStarted carries 'STARTED'/,
    },
    {
      name: 'a missing phase',
      frame: frame('onFinalized', build({ phase: undefined })),
      message: /build.phase is missing, but onFinalized carries 'FINISHED'/,
    },
    {
      name: 'parameters that are an array',
      frame: frame('onCompleted', build({ parameters: ['a'] })),
      message: /build.parameters is an array, not an object/,
    },
    {
      name: 'a parameter that is not a string',
      frame: frame('onCompleted', build({ parameters: { ZUUL_CHANGE: 60105 } })),
      message: /build.parameters.ZUUL_CHANGE is a number, not a string/,
    },
    {
      name: 'a status that is not a string',
      frame: frame('onCompleted', build({ status: true })),
      message: /build.status is a boolean/,
    },
    {
      name: 'a frame larger than 1 MiB',
      frame: Buffer.alloc(MAX_FRAME_BYTES + 1, 'a'),
      message: /frame of 1048577 bytes is larger/,
    },
  ];

  for (const testCase of invalid) {
    it(`rejects ${testCase.name} with WP_EVENT_INVALID`, () => {
      assert.throws(
        () => parseBuildEvent(testCase.frame),
        (error: unknown) => {
          assert.ok(isWhiskpoolError(error, ErrorCode.EventInvalid), String(error));
          assert.match(error.message, testCase.message);
          assert.equal(error.retryable, false);
          return true;
        },
      );
    });
  }

  it('keeps an untrusted long topic short in the message', () => {
    const topic = 'x'.repeat(5000);
    assert.throws(
      () => parseBuildEvent(`${topic} {}`),
      (error: Error) => error.message.length < 300,
    );
  });
});

describe('offlineWhenComplete', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['1', true],
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['0', false],
    ['false', false],
    ['yes', false],
    ['tRue', false],
    [' 1', false],
    ['', false],
    [undefined, false],
  ];

  for (const [value, expected] of cases) {
    it(`treats OFFLINE_NODE_WHEN_COMPLETE=${JSON.stringify(value)} as ${expected}`, () => {
      const parameters: Record<string, string> = {};
      if (value !== undefined) parameters.OFFLINE_NODE_WHEN_COMPLETE = value;
      assert.equal(offlineWhenComplete(parameters), expected);
    });
  }
});
