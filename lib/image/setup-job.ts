import { nodepoolVariables, SCRIPTS_DIR, shellQuote } from './scripts.ts';

/**
 * Where the setup script, detached from the SSH session that starts it, leaves its output and,
 * once it ends, its exit status. Removed before the snapshot, so no machine inherits it.
 */
export const SETUP_JOB_DIR = '/tmp/whiskpool-setup';

const OUTPUT = `${SETUP_JOB_DIR}/output`;
const STATUS = `${SETUP_JOB_DIR}/status`;

/**
 * Starts the image's setup script in the background as Nodepool ran it in the foreground:
 * from the scripts directory, with the NODEPOOL_* variables and the template's name as its
 * argument. `mkdir` makes a second start on the same server (a step redelivered after it
 * started the script) a no-op. The command returns as soon as the script is started.
 */
export function startSetupCommand(
  script: string,
  hostname: string,
  env: NodeJS.ProcessEnv,
): string {
  const run = `cd ${SCRIPTS_DIR} && ${nodepoolVariables(env)}./${script} ${shellQuote(hostname)}`;
  const job = `${run} > ${OUTPUT} 2>&1; echo $? > ${STATUS}`;
  return (
    `if mkdir ${SETUP_JOB_DIR} 2>/dev/null; then ` +
    `nohup sh -c ${shellQuote(job)} > /dev/null 2>&1 < /dev/null & fi`
  );
}

/** Prints the setup script's exit status once it has ended; fails while it runs. */
export const SETUP_STATUS_COMMAND = `cat ${STATUS}`;

/**
 * Succeeds while the job's files are there. They go when the server reboots (a setup script
 * that reboots it, or a crash) and the job with them: no status would ever come.
 */
export const SETUP_JOB_THERE_COMMAND = `test -e ${OUTPUT}`;

/** The last lines the setup script printed, for the reason of a failed refresh. */
export const SETUP_OUTPUT_COMMAND = `tail -n 3 ${OUTPUT}`;

/** Leaves nothing of the job in the snapshot, and flushes the disks first, as Nodepool did. */
export const SETUP_CLEANUP_COMMAND = `rm -rf ${SETUP_JOB_DIR} && sync && sleep 5`;

/** The exit status `SETUP_STATUS_COMMAND` printed, or null while the script runs. */
export function parseSetupStatus(printed: string): number | null {
  const text = printed.trim();
  return /^\d+$/.test(text) ? Number(text) : null;
}
