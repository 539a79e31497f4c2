/**
 * Garbage where Gearman's admin `status` reply should be. The parser keeps what it can and
 * reports every odd line; nothing odd may turn into demand.
 */
export interface StatusCase {
  name: string;
  reply: string;
  /** Each must appear in one problem of this level. */
  problem: { level: 'warning' | 'error'; mentions: string[] };
  /** The demand per label the reply still gives; garbage gives none. */
  demand: Record<string, number>;
}

const GOOD = 'build:tox:ci-jessie-wikimedia\t2\t1\t3\n';

export const STATUS_CASES: StatusCase[] = [
  {
    name: 'a reply cut before the closing line',
    reply: GOOD,
    problem: { level: 'error', mentions: ['without the closing "."'] },
    demand: { 'ci-jessie-wikimedia': 2 },
  },
  {
    name: 'a reply cut in the middle of a line',
    reply: `${GOOD}build:pep8:ci-jes`,
    problem: { level: 'warning', mentions: ['line 2', 'got 1', 'skipped'] },
    demand: { 'ci-jessie-wikimedia': 2 },
  },
  {
    name: 'an ERR line from a server that does not know `status`',
    reply: 'ERR UNKNOWN_COMMAND Unknown+server+command\n',
    problem: { level: 'warning', mentions: ['line 1', '"ERR UNKNOWN_COMMAND', 'skipped'] },
    demand: {},
  },
  {
    name: 'an HTTP answer from a web server on the Gearman port',
    reply: 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html></html>\r\n',
    problem: { level: 'warning', mentions: ['line 1', 'HTTP/1.1 400', 'got 1'] },
    demand: {},
  },
  {
    name: 'fields split by spaces instead of TABs',
    reply: 'build:tox:ci-jessie-wikimedia 2 1 3\n.\n',
    problem: { level: 'warning', mentions: ['expected 4 TAB-separated fields, got 1'] },
    demand: {},
  },
  {
    name: 'three fields only',
    reply: 'build:tox:ci-jessie-wikimedia\t2\t1\n.\n',
    problem: { level: 'warning', mentions: ['got 3', 'skipped'] },
    demand: {},
  },
  {
    name: 'a count that is a word',
    reply: 'build:tox:ci-jessie-wikimedia\tmany\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL "many" is not an integer'] },
    demand: {},
  },
  {
    name: 'a negative count',
    reply: 'build:tox:ci-jessie-wikimedia\t-4\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL "-4" is not an integer'] },
    demand: {},
  },
  {
    name: 'a count in exponent notation',
    reply: 'build:tox:ci-jessie-wikimedia\t1e3\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL "1e3"'] },
    demand: {},
  },
  {
    name: 'a count in hexadecimal',
    reply: 'build:tox:ci-jessie-wikimedia\t0x10\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL "0x10"'] },
    demand: {},
  },
  {
    name: 'a count too large to hold exactly',
    reply: 'build:tox:ci-jessie-wikimedia\t99999999999999999999999\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL', 'too large to be a count'] },
    demand: {},
  },
  {
    name: 'a count in Arabic-Indic digits',
    reply: 'build:tox:ci-jessie-wikimedia\t\u0663\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL', 'not an integer'] },
    demand: {},
  },
  {
    name: 'a NUL byte inside a count',
    reply: 'build:tox:ci-jessie-wikimedia\t2\0\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['TOTAL "2\\u0000"'] },
    demand: {},
  },
  {
    name: 'a NUL byte inside a function name',
    reply: 'build:tox\0:ci-jessie-wikimedia\t2\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['function name holds control characters'] },
    demand: {},
  },
  {
    name: 'bytes that are not UTF-8 in a function name',
    reply: `${Buffer.from([0x62, 0x3a, 0xff, 0xfe]).toString()}\t1\t0\t1\n.\n`,
    problem: { level: 'warning', mentions: ['not UTF-8', 'line skipped'] },
    demand: {},
  },
  {
    name: 'an escape sequence in a function name',
    reply: 'build:\u001b[31mred:ci-jessie-wikimedia\t5\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['control characters'] },
    demand: {},
  },
  {
    name: 'an empty function name',
    reply: '\t4\t0\t1\n.\n',
    problem: { level: 'warning', mentions: ['function name is empty'] },
    demand: {},
  },
  {
    name: 'a bare CR inside a line',
    reply: 'build:tox:ci-jessie-wikimedia\t2\t0\t1\r.\r',
    problem: { level: 'error', mentions: ['without the closing "."'] },
    demand: { 'ci-jessie-wikimedia': 2 },
  },
  {
    name: 'a megabyte line is quoted clipped, not whole',
    reply: `${'z'.repeat(1024 * 1024)}\n.\n`,
    problem: { level: 'warning', mentions: ['zzz...', 'got 1'] },
    demand: {},
  },
  {
    name: 'ten thousand garbage lines give a bounded list of problems',
    reply: `${'garbage\n'.repeat(10_000)}.\n`,
    problem: { level: 'warning', mentions: ['9980 more odd lines not listed'] },
    demand: {},
  },
  {
    name: 'lines after the closing dot',
    reply: `.\n${GOOD}`,
    problem: { level: 'warning', mentions: ['after the closing'] },
    demand: {},
  },
];

/**
 * What a tiny TCP server on 127.0.0.1 answers to `status`, and how it ends. `fetchStatus`
 * must either reject with WP_GEARMAN_UNAVAILABLE naming the reason, or give a status whose
 * problems name the garbage.
 */
export interface WireCase {
  name: string;
  chunks: (string | Buffer)[];
  then: 'close' | 'hang';
  outcome:
    | { rejects: string }
    | { problem: string; demand: Record<string, number> };
}

export const WIRE_CASES: WireCase[] = [
  {
    name: 'closes without a byte',
    chunks: [],
    then: 'close',
    outcome: { rejects: 'closed before' },
  },
  {
    name: 'closes after a truncated reply',
    chunks: [GOOD, 'build:pep8'],
    then: 'close',
    outcome: { rejects: 'closing "."' },
  },
  {
    name: 'never sends the closing dot',
    chunks: [GOOD],
    then: 'hang',
    outcome: { rejects: 'no complete status reply within' },
  },
  {
    name: 'sends random binary and hangs',
    chunks: [Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256))],
    then: 'hang',
    outcome: { rejects: 'no complete status reply within' },
  },
  {
    name: 'sends more than 16 MiB without a closing dot',
    chunks: Array.from({ length: 17 }, () => Buffer.alloc(1024 * 1024, 0x41)),
    then: 'hang',
    outcome: { rejects: 'passed 16777216 bytes' },
  },
  {
    name: 'sends NUL bytes, then a closing dot',
    chunks: [Buffer.alloc(100), '\n.\n'],
    then: 'hang',
    outcome: { problem: 'got 1', demand: {} },
  },
  {
    name: 'sends CRLF lines with garbage counts',
    chunks: ['build:tox:ci-jessie-wikimedia\tx\ty\tz\r\n', '.\r\n'],
    then: 'hang',
    outcome: { problem: 'TOTAL "x" is not an integer', demand: {} },
  },
  {
    name: 'splits a multi-byte character across packets',
    chunks: ['build:t', Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a]), '.\n'],
    then: 'hang',
    outcome: { problem: 'got 1', demand: {} },
  },
  {
    name: 'answers with a valid line and garbage, then the dot',
    chunks: [GOOD, '\u0000\u0001\u0002\t1\t1\t1\n', '.\n'],
    then: 'close',
    outcome: { problem: 'control characters', demand: { 'ci-jessie-wikimedia': 2 } },
  },
];
