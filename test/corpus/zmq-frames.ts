/**
 * Malformed frames of the Jenkins ZMQ event publisher. Each must be refused by
 * parseBuildEvent with WP_EVENT_INVALID and a message holding every `mentions` entry; the
 * jenkins bridge must log and count each one and publish nothing.
 */
export interface FrameCase {
  name: string;
  frame: string | Buffer;
  mentions: string[];
}

/** A valid onStarted frame's JSON, from Nodepool's fake-servers sample, with a node name. */
export const GOOD_STARTED = {
  name: 'test',
  url: 'job/test/',
  build: {
    full_url: 'http://localhost:8080/job/test/1/',
    number: 1,
    phase: 'STARTED',
    url: 'job/test/1/',
    node_name: 'ci-jessie-wikimedia-1',
  },
};

/** GOOD_STARTED with `build` fields replaced (undefined removes a field). */
function started(build: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  const merged: Record<string, unknown> = { ...GOOD_STARTED.build, ...build };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return `onStarted ${JSON.stringify({ ...GOOD_STARTED, ...top, build: merged })}`;
}

const good = JSON.stringify(GOOD_STARTED);

export const FRAME_CASES: FrameCase[] = [
  { name: 'an empty frame', frame: '', mentions: ['no topic'] },
  { name: 'only whitespace', frame: ' \t\n ', mentions: ['no topic'] },
  { name: 'a topic with nothing after it', frame: 'onStarted', mentions: ['no topic'] },
  {
    name: 'JSON with no topic',
    frame: good,
    mentions: ['no topic followed by a space'],
  },
  { name: 'an unknown topic', frame: `onDeleted ${good}`, mentions: ["unknown topic 'onDeleted'"] },
  { name: 'a topic in the wrong case', frame: `onstarted ${good}`, mentions: ["'onstarted'"] },
  {
    name: 'a topic named like an Object property',
    frame: `constructor ${good}`,
    mentions: ["unknown topic 'constructor'"],
  },
  {
    name: 'a very long topic word is clipped in the message',
    frame: `${'x'.repeat(5000)} ${good}`,
    mentions: ['unknown topic', '...'],
  },
  {
    name: 'JSON cut in the middle',
    frame: `onStarted ${good.slice(0, 40)}`,
    mentions: ['does not parse'],
  },
  { name: 'an empty JSON part', frame: 'onStarted  ', mentions: ['does not parse'] },
  {
    name: 'single-quoted pseudo JSON',
    frame: "onStarted {'name': 'x'}",
    mentions: ['does not parse'],
  },
  {
    name: 'JSON with a trailing comma',
    frame: 'onStarted {"name":"x",}',
    mentions: ['does not parse'],
  },
  { name: 'a JSON array', frame: 'onStarted [1,2,3]', mentions: ['an array, not an object'] },
  { name: 'a JSON string', frame: 'onStarted "hello"', mentions: ['a string, not an object'] },
  { name: 'JSON null', frame: 'onStarted null', mentions: ['null, not an object'] },
  { name: 'a JSON number', frame: 'onStarted 42', mentions: ['a number, not an object'] },
  { name: 'no job name', frame: started({}, { name: undefined }), mentions: ["'name'"] },
  { name: 'an empty job name', frame: started({}, { name: '' }), mentions: ["'name'"] },
  { name: 'a job name that is a number', frame: started({}, { name: 7 }), mentions: ["'name'"] },
  {
    name: 'no build object',
    frame: 'onStarted {"name":"test","url":"job/test/"}',
    mentions: ["job 'test'", "'build' is missing"],
  },
  {
    name: 'build is a list',
    frame: 'onStarted {"name":"test","build":[]}',
    mentions: ["'build' is missing"],
  },
  {
    name: 'no build number',
    frame: started({ number: undefined }),
    mentions: ['build.number is missing'],
  },
  {
    name: 'build number as text',
    frame: started({ number: '1' }),
    mentions: ["build.number is '1'"],
  },
  { name: 'build number zero', frame: started({ number: 0 }), mentions: ['build.number is 0'] },
  {
    name: 'a negative build number',
    frame: started({ number: -5 }),
    mentions: ['build.number is -5'],
  },
  { name: 'a fractional build number', frame: started({ number: 1.5 }), mentions: ['1.5'] },
  {
    name: 'a build number past 2^53',
    frame: started({ number: 2 ** 60 }),
    mentions: ['not a positive whole number'],
  },
  {
    name: 'a build number written 1e400 (Infinity once parsed)',
    frame: started({}).replace('"number":1', '"number":1e400'),
    mentions: ['build.number is Infinity'],
  },
  { name: 'no node name', frame: started({ node_name: undefined }), mentions: ['build.node_name'] },
  {
    name: 'a node name that is null',
    frame: started({ node_name: null }),
    mentions: ['build.node_name is null'],
  },
  {
    name: 'a node name that is a list',
    frame: started({ node_name: ['a'] }),
    mentions: ['an array'],
  },
  {
    name: 'a phase that does not match the topic',
    frame: started({ phase: 'FINISHED' }),
    mentions: ["build.phase is 'FINISHED'", "onStarted carries 'STARTED'"],
  },
  {
    name: 'no phase at all',
    frame: started({ phase: undefined }),
    mentions: ['build.phase is missing'],
  },
  {
    name: 'a status that is a number',
    frame: started({ status: 3 }),
    mentions: ['build.status is a number'],
  },
  {
    name: 'a URL that is an object',
    frame: started({ url: {} }),
    mentions: ['build.url is an object'],
  },
  {
    name: 'a host name that is a boolean',
    frame: started({ host_name: true }),
    mentions: ['build.host_name'],
  },
  {
    name: 'parameters that are a list',
    frame: started({ parameters: ['ZUUL_UUID=x'] }),
    mentions: ['build.parameters is an array'],
  },
  {
    name: 'a parameter whose value is a number',
    frame: started({ parameters: { OFFLINE_NODE_WHEN_COMPLETE: 1 } }),
    mentions: ['build.parameters.OFFLINE_NODE_WHEN_COMPLETE is a number'],
  },
  {
    name: 'a parameter whose value is an object',
    frame: started({ parameters: { ZUUL_BRANCH: { name: 'master' } } }),
    mentions: ['build.parameters.ZUUL_BRANCH is an object'],
  },
  {
    name: 'bytes that are not UTF-8',
    frame: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x20, 0x7b, 0x7d]),
    mentions: ['unknown topic'],
  },
  {
    name: 'NUL bytes in place of the JSON',
    frame: Buffer.concat([Buffer.from('onStarted '), Buffer.alloc(64)]),
    mentions: ['does not parse'],
  },
  {
    name: 'a frame past the 1 MiB limit',
    frame: `onStarted ${JSON.stringify({ ...GOOD_STARTED, pad: 'x'.repeat(1024 * 1024) })}`,
    mentions: ['larger than the 1048576 bytes allowed'],
  },
  {
    name: 'JSON nested far deeper than any event',
    frame: `onStarted ${'['.repeat(200_000)}${']'.repeat(200_000)}`,
    mentions: ['an array, not an object'],
  },
];
