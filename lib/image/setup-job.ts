import { nodepoolVariables, SCRIPTS_DIR, shellQuote } from './scripts.ts';

/**
 * Where the setup script, detached from the SSH session that starts it, leaves its output and,
 * once it ends, its exit status. Removed before the snapshot, so no machine inherits it.
 */
export const SETUP_JOB_DIR = '/tmp/whiskpool-setup';

const OUTPUT = `${SETUP_JOB_DIR}/output`;
const STATUS = `${SETUP_JOB_DIR}/status`;

/** How much of the script's output the reason of a failed refresh may quote. */
const LAST_WORDS_BYTES = 1000;

/**
 * Starts the image's setup script in the background as Nodepool ran it in the foreground:
 * from the scripts directory, with the NODEPOOL_* variables and the template's name as its
 * argument. The job's directory is made before the command returns; `mkdir` failing on it
 * makes a second start on the same server a no-op.
 */
export function startSetupCommand(
  script: string,
  hostname: string,
  env: NodeJS.ProcessEnv,
): string {
  const run = `cd ${SCRIPTS_DIR} && ${nodepoolVariables(env)}./${script} ${shellQuote(hostname)}`;
  const job = `{ ${run}; } >> ${OUTPUT} 2>&1; echo $? > ${STATUS}`;
  return (
    `if mkdir ${SETUP_JOB_DIR} 2>/dev/null; then ` +
    `nohup sh -c ${shellQuote(job)} > /dev/null 2>&1 < /dev/null & fi`
  );
}

/** Prints the setup script's exit status once it has ended; fails while it runs. */
export const SETUP_STATUS_COMMAND = `cat ${STATUS}`;

/**
 * Exits 0 while the job's directory is there and 1 once it is gone: a reboot (a setup script
 * that reboots the server, or a crash) empties /tmp, and no status will ever come.
 */
export const SETUP_JOB_THERE_COMMAND = `test -d ${SETUP_JOB_DIR}`;

/** The end of what the setup script printed, bounded however long its last line is. */
export const SETUP_OUTPUT_COMMAND = `tail -c ${LAST_WORDS_BYTES} ${OUTPUT}`;

/** Leaves nothing of the job in the snapshot, and flushes the disks first, as Nodepool did. */
export const SETUP_CLEANUP_COMMAND = `rm -rf ${SETUP_JOB_DIR} && sync && sleep 5`;

export type SetupStatus = { running: true } | { exitCode: number } | { unreadable: string };

/** What `SETUP_STATUS_COMMAND` printed: the exit status, or that the script still runs. */
export function parseSetupStatus(printed: string): SetupStatus {
  const text = printed.trim();
  // Empty between the shell opening the file and echo writing to it.
  if (text === '') return { running: true };
  if (/^\d+$/.test(text)) return { exitCode: Number(text) };
  return { unreadable: text.slice(0, 40) };
}

/** The last three lines of the script's output, on one line, their end kept. */
export function lastWords(output: string): string {
  const lines = output.replaceAll('\r', '\n').split('\n').map((line) => line.trim());
  return lines.filter(Boolean).slice(-3).join(' | ').slice(-300);
}
