/**
 * Bad command lines for `bin/whiskpool`. A usage error exits 2 with commander's complaint and
 * the command's usage; a configuration that cannot be read exits 1 naming the file. Neither
 * writes anything to the database or to stdout.
 */
export interface CliCase {
  name: string;
  /** Run after `-c <the test pool's nodepool.yaml>`, unless `ownConfig`. */
  args: string[];
  ownConfig?: boolean;
  status: 1 | 2;
  complaint: RegExp;
}

export const CLI_CASES: CliCase[] = [
  {
    name: 'an unknown command',
    args: ['frobnicate'],
    status: 2,
    complaint: /unknown command 'frobnicate'/,
  },
  {
    name: 'a misspelt option',
    args: ['list', '--jsn'],
    status: 2,
    complaint: /unknown option '--jsn'/,
  },
  {
    name: 'an argument list takes none of',
    args: ['list', 'extra'],
    status: 2,
    complaint: /too many arguments for 'list'/,
  },
  {
    name: 'an unknown global option',
    args: ['--bogus', 'list'],
    status: 2,
    complaint: /unknown option '--bogus'/,
  },
  {
    name: 'a rate that is a word',
    args: ['up', '--rate', 'abc'],
    status: 2,
    complaint: /'--rate <builds\/s>' argument 'abc' is invalid/,
  },
  {
    name: 'a negative rate',
    args: ['up', '--rate', '-1'],
    status: 2,
    complaint: /at least 0, got "-1"/,
  },
  {
    name: 'zero builds',
    args: ['up', '--builds', '0'],
    status: 2,
    complaint: /positive integer, got "0"/,
  },
  {
    name: 'boot seconds of NaN',
    args: ['up', '--boot-seconds', 'NaN'],
    status: 2,
    complaint: /got "NaN"/,
  },
  {
    name: 'a rate with no value',
    args: ['up', '--rate'],
    status: 2,
    complaint: /argument missing/,
  },
  {
    name: 'an unknown bridge',
    args: ['bridge', 'nope'],
    status: 2,
    complaint: /unknown command 'nope'/,
  },
  {
    name: 'a poll interval of zero',
    args: ['bridge', 'gearman', '--poll-ms', '0'],
    status: 2,
    complaint: /positive integer, got "0"/,
  },
  {
    name: 'a host port that is a word',
    args: ['host', '--port', 'abc', '--auth', 'u:k'],
    status: 2,
    complaint: /'--port <port>' argument 'abc' is invalid/,
  },
  {
    name: 'a host port past 65535',
    args: ['host', '--port', '99999', '--auth', 'u:k'],
    status: 2,
    complaint: /port number/,
  },
  {
    name: 'an unknown config-validate option',
    args: ['config-validate', '--strict'],
    status: 2,
    complaint: /unknown option '--strict'/,
  },
  {
    name: '--config without a file',
    args: ['--config'],
    ownConfig: true,
    status: 2,
    complaint: /'-c, --config <file>' argument missing/,
  },
  {
    name: 'a configuration file that does not exist',
    args: ['-c', '/nonexistent/nodepool.yaml', 'list'],
    ownConfig: true,
    status: 1,
    complaint: /\/nonexistent\/nodepool\.yaml: cannot be read \(ENOENT\)/,
  },
  {
    name: 'a secure.conf that does not exist',
    args: ['-s', '/nonexistent/secure.conf', 'list'],
    status: 1,
    complaint: /\/nonexistent\/secure\.conf: cannot be read \(ENOENT\)/,
  },
  {
    name: 'a configuration file of garbage bytes',
    args: ['-c', 'GARBAGE', 'list'],
    ownConfig: true,
    status: 1,
    complaint: /is invalid \(1 problem\):\n {2}\(top level\): must be a mapping/,
  },
];
