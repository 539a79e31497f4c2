/** Resolves on the first SIGINT or SIGTERM, so a process can close what it opened. */
export function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Tells a parent process, on stdout, that this one is ready: one JSON line. */
export function announceReady(details: Record<string, unknown>) {
  process.stdout.write(`${JSON.stringify({ ready: details })}\n`);
}
