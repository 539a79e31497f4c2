import type { ActionsReport } from './actions.ts';
import type { Machine } from './machine.ts';
import {
  show,
  table,
  type BenchSettings,
  type DatabaseFigures,
  type KeyFigures,
} from './report.ts';

export interface PrintableResults {
  machine: Machine;
  settings: BenchSettings;
  load: { before: { loadAverage: number[] }; after: { loadAverage: number[] } };
  databases: Record<string, KeyFigures & { detail: DatabaseFigures }>;
  skipped: Record<string, string>;
  actions: ActionsReport | null;
  bundle_kb_max: number | null;
  cold_start_ms_max: number | null;
}

const STAGES: Record<string, string> = {
  'demand.poll': 'submit -> demand published (Gearman poll)',
  'demand.reconcile': 'demand published -> spawn published (reconcile)',
  'demand.spawn': 'spawn published -> Nova create (spawn)',
  'finalize.bridge': 'onFinalized -> build.finalized published (bridge)',
  'finalize.delete': 'build.finalized published -> Nova DELETE (delete)',
  'finalize.bridge saturated': 'onFinalized -> published, saturated',
  'finalize.delete saturated': 'published -> Nova DELETE, saturated',
};

/** The figures side by side per database, then the processes and the actions. */
export function printReport(results: PrintableResults) {
  const { machine, settings } = results;
  const kinds = Object.keys(results.databases);
  const column = (pick: (k: KeyFigures & { detail: DatabaseFigures }) => string) =>
    kinds.map((kind) => pick(results.databases[kind]!));
  const out: string[] = [];

  out.push(
    `machine: ${machine.nproc} x ${machine.model}, ${machine.memoryGb} GB, node ${machine.node}; ` +
      `load average ${results.load.before.loadAverage.join(' ')} -> ` +
      `${results.load.after.loadAverage.join(' ')}`,
  );
  out.push(
    `${settings.builds} builds per run offered at ${settings.submitRate}/s, ` +
      `${settings.probes} demand probes at ${settings.probeRate}/s, Gearman poll ` +
      `${settings.gearmanPollMs} ms, builds of ${settings.buildDurationMs} ms (max-servers 50) ` +
      `and ${settings.probeBuildDurationMs} ms (max-servers 1000), boot 0 ms`,
  );
  out.push('');

  const poll = settings.gearmanPollMs + 50;
  out.push(
    table([
      ['', ...kinds, 'aim'],
      ['life cycles/s (best run)', ...column((k) => show(k.lifecycles_per_s)), '>= 100'],
      ['  at max-servers 50', ...column((k) => show(k.lifecycles_per_s_50)), ''],
      ['  at max-servers 1000', ...column((k) => show(k.lifecycles_per_s_1000)), ''],
      ['floor (Knex only) life cycles/s', ...column((k) => show(k.floor_lifecycles_per_s)), ''],
      ['ratio to floor', ...column((k) => show(k.ratio_to_floor, 2)), '>= 0.5'],
      ['floor CPU ms per life cycle', ...column((k) => show(k.floor_cpu_ms_per_lifecycle, 2)), ''],
      ['life cycle p50 ms (max-servers 50)', ...column((k) => show(k.lifecycle_ms_p50, 0)), ''],
      ['onFinalized -> DELETE p50 ms', ...column((k) => show(k.finalize_to_delete_ms_p50)), ''],
      ['onFinalized -> DELETE p99 ms', ...column((k) => show(k.finalize_to_delete_ms_p99)), '< 50'],
      [
        '  saturated (max-servers 50) p50 ms',
        ...column((k) => show(k.finalize_to_delete_ms_p50_saturated)),
        '',
      ],
      [
        '  saturated (max-servers 50) p99 ms',
        ...column((k) => show(k.finalize_to_delete_ms_p99_saturated)),
        '',
      ],
      ['demand -> create p50 ms', ...column((k) => show(k.demand_to_create_ms_p50)), ''],
      ['demand -> create p99 ms', ...column((k) => show(k.demand_to_create_ms_p99)), `< ${poll}`],
      [
        'DB connections peak, max-servers 50',
        ...column((k) => show(k.db_connections_peak_50, 0)),
        '',
      ],
      [
        'DB connections peak, max-servers 1000',
        ...column((k) => show(k.db_connections_peak_1000, 0)),
        '<= at 50, < 16',
      ],
      ['RSS peak of one process MB', ...column((k) => show(k.rss_mb_peak)), ''],
      ['RSS peak, all processes MB (1000)', ...column((k) => show(k.rss_mb_total_peak_1000)), ''],
      [
        'CPU ms per life cycle, all processes',
        ...column((k) => show(k.cpu_ms_per_lifecycle_50)),
        '',
      ],
      ['JetStream messages per life cycle', ...column((k) => show(k.messages_per_lifecycle)), ''],
      ['NATS round trips/s', ...column((k) => show(k.nats_round_trips_per_s, 0)), ''],
      ['NATS round trip p99 ms', ...column((k) => show(k.nats_round_trip_ms_p99)), ''],
    ]),
  );
  for (const [kind, reason] of Object.entries(results.skipped)) {
    out.push(`${kind}: skipped, ${reason}`);
  }

  const stageNames = [
    ...new Set(kinds.flatMap((kind) => Object.keys(results.databases[kind]!.stages_ms))),
  ];
  if (stageNames.length > 0) {
    out.push('', 'where the latency goes, hop by hop (p50 / p99 ms)');
    out.push(
      table([
        ['', ...kinds],
        ...stageNames.map((name) => [
          STAGES[name] ?? name,
          ...column((k) => {
            const stage = k.stages_ms[name];
            return stage ? `${show(stage.p50, 0)} / ${show(stage.p99, 0)}` : '-';
          }),
        ]),
      ]),
    );
  }

  for (const kind of kinds) {
    const { run50, run1000 } = results.databases[kind]!.detail;
    out.push('', `${kind}: per process (max-servers 50 CPU over the throughput phase)`);
    const names = Object.keys(run50.cpu).sort();
    const peak = (run: typeof run50, name: string) =>
      Math.max(
        0,
        ...run.footprint.processes.filter((p) => p.name === name).map((p) => p.peakRssMb),
      );
    out.push(
      table([
        ['process', 'CPU s', 'run-queue s', 'RSS MB @50', 'RSS MB @1000'],
        ...names.map((name) => [
          name,
          show((run50.cpu[name]?.cpuMs ?? 0) / 1000),
          show((run50.cpu[name]?.runQueueMs ?? 0) / 1000),
          show(peak(run50, name)),
          show(peak(run1000, name)),
        ]),
      ]),
    );
  }

  const actions = results.actions;
  if (actions) {
    out.push(
      '',
      `actions (${actions.source}); an empty action starts in ${show(actions.emptyColdMs, 0)} ms`,
    );
    out.push(
      table([
        ['action', 'KiB', 'cold ms', 'of which init ms', 'warm p50 ms', 'warm max ms', 'outcome'],
        ...actions.actions.map((a) => [
          a.action,
          show(a.bytes / 1024, 0),
          show(a.coldMs, 0),
          show(a.initMs, 0),
          show(a.warmMs.p50),
          show(a.warmMs.max),
          a.outcome,
        ]),
      ]),
    );
    out.push(`aim: every bundle < 2048 KiB, cold start < 300 ms`);
  }

  process.stdout.write(`${out.join('\n')}\n`);
}
