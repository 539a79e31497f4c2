export interface CommandAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ShellOptions {
  /** The exit code a command would end with if it ran. */
  exitCodeFor: (command: string) => number;
  /** How long a detached job runs before it ends; read when the job starts. */
  jobDurationMs: () => number;
  /** Runs `work` after `ms`, unless the machine is gone by then. */
  later: (ms: number, work: () => void) => void;
}

const STATUS_TO_FILE = /echo \$\? > ([^\s'";]+)/;
const OUTPUT_TO_FILE = /[^?] > ([^\s'";]+)/g;
const CAT = /^cat (\S+)$/;
const TEST_EXISTS = /^test -[ef] (\S+)$/;

/**
 * What one simulated machine does with a command. It runs nothing: each command ends with the
 * exit code configured for it. It models just enough of a shell for a caller that detaches
 * work and looks at it later:
 * - `echo access okay` prints that, as Nodepool's login check expects;
 * - a command that starts `nohup` in the background returns at once; the job it started ends
 *   after the job duration, and if the command writes `echo $? > FILE`, FILE then holds the
 *   job's exit code;
 * - a job's output file (`> FILE`) exists, empty, from its start;
 * - `cat FILE` prints a file a job wrote, or fails as cat does; `test -e FILE` tells whether
 *   there is one.
 */
export class MachineShell {
  private readonly files = new Map<string, string>();
  /** Bumped by a reboot: jobs started before it never end. */
  private boot = 0;

  constructor(private readonly options: ShellOptions) {}

  execute(command: string): CommandAnswer {
    const trimmed = command.trim();
    if (trimmed === 'echo access okay') return answer(0, 'access okay\n');

    const cat = CAT.exec(trimmed);
    if (cat) {
      const content = this.files.get(cat[1]!);
      if (content !== undefined) return answer(0, content);
      return answer(1, '', `cat: ${cat[1]}: No such file or directory\n`);
    }

    const exists = TEST_EXISTS.exec(trimmed);
    if (exists) return answer(this.files.has(exists[1]!) ? 0 : 1);

    if (/\bnohup\b/.test(trimmed) && /&( fi)?$/.test(trimmed)) {
      this.startJob(trimmed);
      return answer(0);
    }
    return answer(this.options.exitCodeFor(command));
  }

  /** What a reboot does to jobs and /tmp: both are gone. */
  reboot(): void {
    this.boot += 1;
    this.files.clear();
  }

  private startJob(command: string): void {
    // The shell opens a job's output files as the job starts; nothing is written to them here.
    for (const [, path] of command.matchAll(OUTPUT_TO_FILE)) {
      if (path !== '/dev/null' && !this.files.has(path!)) this.files.set(path!, '');
    }
    const statusFile = STATUS_TO_FILE.exec(command)?.[1];
    const exitCode = this.options.exitCodeFor(command);
    const boot = this.boot;
    this.options.later(this.options.jobDurationMs(), () => {
      if (statusFile !== undefined && boot === this.boot) {
        this.files.set(statusFile, `${exitCode}\n`);
      }
    });
  }
}

function answer(exitCode: number, stdout = '', stderr = ''): CommandAnswer {
  return { exitCode, stdout, stderr };
}
