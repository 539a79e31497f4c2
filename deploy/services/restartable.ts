import type { ChildProcess } from 'node:child_process';

import type { Child } from './child.ts';

/** A child process that can be killed and started again with the same command line. */
export interface Restartable extends Child {
  /** Kills the process with `signal` (SIGKILL by default: a crash) and starts it again. */
  restart(signal?: NodeJS.Signals): Promise<void>;
}

export async function restartable(start: () => Promise<Child>): Promise<Restartable> {
  let current = await start();

  return {
    get name() {
      return current.name;
    },
    get process(): ChildProcess {
      return current.process;
    },
    async restart(signal: NodeJS.Signals = 'SIGKILL') {
      const exited = new Promise<void>((resolve) => {
        if (current.process.exitCode !== null || current.process.signalCode !== null) resolve();
        else current.process.once('exit', () => resolve());
      });
      current.process.kill(signal);
      await exited;
      await current.stop().catch(() => undefined);
      current = await start();
    },
    stop(graceMs?: number) {
      return current.stop(graceMs);
    },
  };
}
