/**
 * The reply to Gearman's text admin command `status`: one line per function,
 * `FUNCTION<TAB>TOTAL<TAB>RUNNING<TAB>WORKERS`, then a line holding a single `.`.
 * TOTAL counts queued and running jobs together; WORKERS counts the connections that
 * registered the function. Fields are split on TAB only, because Jenkins job names (and so
 * function names) may contain spaces.
 */

export interface FunctionStatus {
  name: string;
  total: number;
  running: number;
  workers: number;
}

/**
 * Something odd in a reply. A `warning` leaves the rest usable (a count read as 0, a line
 * skipped); an `error` means the reply is incomplete and its functions may be missing some.
 */
export interface StatusProblem {
  level: 'warning' | 'error';
  /** 1-based line number in the reply, absent for problems of the reply as a whole. */
  line?: number;
  message: string;
}

export interface GearmanStatus {
  functions: FunctionStatus[];
  problems: StatusProblem[];
}

const COUNT_FIELDS = ['TOTAL', 'RUNNING', 'WORKERS'] as const;

export function parseStatus(reply: string): GearmanStatus {
  const functions: FunctionStatus[] = [];
  const problems: StatusProblem[] = [];
  const lines = reply.split('\n').map((line) => line.replace(/\r$/, ''));
  // The last line break ends a line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();

  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    if (line === '.') {
      const rest = lines.slice(index + 1).filter((after) => after !== '');
      if (rest.length > 0) {
        const message = 'text after the closing "." ignored';
        problems.push({ level: 'warning', line: number + 1, message });
      }
      return { functions, problems };
    }

    const parsed = parseLine(line, number, problems);
    if (parsed) functions.push(parsed);
  }

  problems.push({
    level: 'error',
    message: 'reply ends without the closing "." line, so functions may be missing',
  });
  return { functions, problems };
}

function parseLine(line: string, number: number, problems: StatusProblem[]) {
  const where = `line ${number} ${JSON.stringify(line)}`;

  if (line === '') {
    problems.push({ level: 'warning', line: number, message: `line ${number}: empty, skipped` });
    return undefined;
  }

  const fields = line.split('\t');
  if (fields.length < 4) {
    problems.push({
      level: 'warning',
      line: number,
      message: `${where}: expected 4 TAB-separated fields, got ${fields.length}; line skipped`,
    });
    return undefined;
  }
  if (fields.length > 4) {
    problems.push({
      level: 'warning',
      line: number,
      message: `${where}: expected 4 TAB-separated fields, got ${fields.length}; extra ignored`,
    });
  }

  const [name = '', ...counts] = fields;
  const [total, running, workers] = COUNT_FIELDS.map((field, i) => {
    const text = counts[i] ?? '';
    if (/^\d+$/.test(text.trim())) return Number(text.trim());

    problems.push({
      level: 'warning',
      line: number,
      message: `${where}: ${field} ${JSON.stringify(text)} is not an integer, counted as 0`,
    });
    return 0;
  }) as [number, number, number];

  return { name, total, running, workers };
}
