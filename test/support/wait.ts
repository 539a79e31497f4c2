import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const PINO_WARN = 40;
const LINES_SHOWN = 12;

/**
 * Waits until `check` holds, or fails naming `what`. With `logsDir` (a local stack's logs), the
 * failure also shows the stack's last warnings and errors: a run that failed on a CI machine is
 * then understood from its output alone.
 */
export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
  logsDir?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const trouble = logsDir ? stackTrouble(logsDir) : '';
      throw new Error(`timed out waiting for ${what}${trouble}`);
    }
    await sleep(200);
  }
}

/** The last warnings and errors the stack's processes logged, oldest first, one per line. */
export function stackTrouble(logsDir: string): string {
  if (!existsSync(logsDir)) return '';
  const found: { time: string; text: string }[] = [];

  for (const file of readdirSync(logsDir).filter((name) => name.endsWith('.log'))) {
    for (const text of readFileSync(join(logsDir, file), 'utf8').split('\n')) {
      const line = parseJson(text);
      if (!line || typeof line.level !== 'number' || line.level < PINO_WARN) continue;
      const err = isRecord(line.err) ? line.err.message : line.err;
      const detail = [line.msg, line.code, err].filter(Boolean).join(' | ');
      found.push({ time: String(line.time ?? ''), text: `${file}: ${detail.slice(0, 400)}` });
    }
  }

  if (found.length === 0) return '; the stack logged no warning';
  const last = found.sort((a, b) => a.time.localeCompare(b.time)).slice(-LINES_SHOWN);
  return `; the stack's last warnings:\n${last.map((entry) => `  ${entry.text}`).join('\n')}`;
}

function parseJson(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
