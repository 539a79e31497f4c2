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

/**
 * A garbage reply can hold a million odd lines; the bridge logs every problem on every poll,
 * so past this many the rest are only counted.
 */
const MAX_LINE_PROBLEMS = 20;

/** Control characters, or bytes that were not UTF-8: no Jenkins job name holds them. */
const NOT_A_NAME = /[\u0000-\u001f\u007f\ufffd]/;

export function parseStatus(reply: string): GearmanStatus {
  const functions: FunctionStatus[] = [];
  const problems: StatusProblem[] = [];
  const lines = reply.split('\n').map((line) => line.replace(/\r$/, ''));
  // The last line break ends a line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();

  const lineProblems: StatusProblem[] = [];
  const finish = () => {
    problems.push(...lineProblems.slice(0, MAX_LINE_PROBLEMS));
    const more = lineProblems.length - MAX_LINE_PROBLEMS;
    if (more > 0) {
      const message = `${more} more odd lines not listed`;
      problems.push({ level: 'warning', message });
    }
  };

  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    if (line === '.') {
      finish();
      const rest = lines.slice(index + 1).filter((after) => after !== '');
      if (rest.length > 0) {
        const message = 'text after the closing "." ignored';
        problems.push({ level: 'warning', line: number + 1, message });
      }
      return { functions, problems };
    }

    const parsed = parseLine(line, number, lineProblems);
    if (parsed) functions.push(parsed);
  }

  finish();
  problems.push({
    level: 'error',
    message: 'reply ends without the closing "." line, so functions may be missing',
  });
  return { functions, problems };
}

function parseLine(line: string, number: number, problems: StatusProblem[]) {
  const where = `line ${number} ${JSON.stringify(clip(line))}`;

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
  if (name === '' || NOT_A_NAME.test(name)) {
    const what = name === '' ? 'is empty' : 'holds control characters or bytes that are not UTF-8';
    problems.push({
      level: 'warning',
      line: number,
      message: `${where}: function name ${what}; line skipped`,
    });
    return undefined;
  }

  const [total, running, workers] = COUNT_FIELDS.map((field, i) => {
    const text = (counts[i] ?? '').trim();
    const quoted = JSON.stringify(clip(text));
    if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);

    const reason = /^\d+$/.test(text) ? 'is too large to be a count' : 'is not an integer';
    problems.push({
      level: 'warning',
      line: number,
      message: `${where}: ${field} ${quoted} ${reason}, counted as 0`,
    });
    return 0;
  }) as [number, number, number];

  return { name, total, running, workers };
}

/** Untrusted text quoted in a message: a garbage line can be megabytes long. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
