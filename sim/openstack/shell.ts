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

const PATH = `([^\\s'";&|]+)`;
const CAT = new RegExp(`^cat ${PATH}$`);
const TAIL_BYTES = new RegExp(`^tail -c (\\d+) ${PATH}$`);
const TEST = new RegExp(`^test -([def]) ${PATH}$`);
const REMOVE = new RegExp(`^rm -rf ${PATH}( && .*)?$`);
const MKDIR_THEN = new RegExp(`^if mkdir ${PATH} 2>/dev/null; then (.*) & fi$`);
const APPEND_OUTPUT = new RegExp(`>>? ${PATH} 2>&1`);
const STATUS_TO_FILE = new RegExp(`echo \\$\\? > ${PATH}`);

/**
 * What one simulated machine does with a command. It runs nothing: a command ends with the
 * exit code configured for it. It models the part of a shell and a file system that a caller
 * detaching work and looking at it later relies on, as sh and coreutils behave:
 * - `echo access okay` prints that, as Nodepool's login check expects;
 * - `if mkdir DIR 2>/dev/null; then nohup ... & fi` makes DIR and starts a job, or does
 *   nothing when DIR exists; the job's output file (`>> FILE 2>&1`) is opened as it starts;
 *   after the job duration it appends a line to it and, if its directory is still there,
 *   writes its exit code where `echo $? > FILE` says;
 * - `cat`, `tail -c N`, `test -e/-d/-f` and `rm -rf` (with what follows it) on those paths;
 * - a reboot loses every job and file.
 */
export class MachineShell {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Set<string>();
  /** Bumped by a reboot: jobs started before it never end. */
  private boot = 0;

  constructor(private readonly options: ShellOptions) {}

  execute(command: string): CommandAnswer {
    const line = command.trim();
    if (line === 'echo access okay') return answer(0, 'access okay\n');

    const cat = CAT.exec(line);
    if (cat) return this.read(cat[1]!, (content) => content);

    const tail = TAIL_BYTES.exec(line);
    if (tail) return this.read(tail[2]!, (content) => content.slice(-Number(tail[1])));

    const test = TEST.exec(line);
    if (test) {
      const [, kind, path] = test as unknown as [string, 'd' | 'e' | 'f', string];
      const isDir = this.dirs.has(path);
      const isFile = this.files.has(path);
      const found = { d: isDir, f: isFile, e: isDir || isFile }[kind];
      return answer(found ? 0 : 1);
    }

    const remove = REMOVE.exec(line);
    if (remove) {
      this.remove(remove[1]!);
      return answer(this.options.exitCodeFor(command));
    }

    const mkdirThen = MKDIR_THEN.exec(line);
    if (mkdirThen) {
      const [, dir, body] = mkdirThen;
      if (this.dirs.has(dir!) || this.files.has(dir!)) return answer(0);
      this.dirs.add(dir!);
      if (/^nohup /.test(body!)) this.startJob(body!);
      return answer(0);
    }
    return answer(this.options.exitCodeFor(command));
  }

  /** What a reboot does to jobs and /tmp: both are gone. */
  reboot(): void {
    this.boot += 1;
    this.files.clear();
    this.dirs.clear();
  }

  private read(path: string, part: (content: string) => string): CommandAnswer {
    const content = this.files.get(path);
    if (content !== undefined) return answer(0, part(content));
    return answer(1, '', `${path}: No such file or directory\n`);
  }

  private remove(path: string): void {
    const inside = (candidate: string) => candidate === path || candidate.startsWith(`${path}/`);
    for (const file of [...this.files.keys()]) if (inside(file)) this.files.delete(file);
    for (const dir of [...this.dirs]) if (inside(dir)) this.dirs.delete(dir);
  }

  private startJob(command: string): void {
    const output = APPEND_OUTPUT.exec(command)?.[1];
    const statusFile = STATUS_TO_FILE.exec(command)?.[1];
    const exitCode = this.options.exitCodeFor(command);
    if (output !== undefined) this.files.set(output, this.files.get(output) ?? '');

    const boot = this.boot;
    this.options.later(this.options.jobDurationMs(), () => {
      if (boot !== this.boot) return;
      if (output !== undefined && this.files.has(output)) {
        this.files.set(output, `${this.files.get(output)}simulated job exited ${exitCode}\n`);
      }
      if (statusFile !== undefined && this.dirs.has(parentOf(statusFile))) {
        this.files.set(statusFile, `${exitCode}\n`);
      }
    });
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function answer(exitCode: number, stdout = '', stderr = ''): CommandAnswer {
  return { exitCode, stdout, stderr };
}
