import type { ActionsReport } from './actions.ts';
import type { KnexFloor, NatsFloor } from './floor.ts';
import type { StackRunResult } from './stack-run.ts';

/** Everything measured on one kind of database. */
export interface DatabaseFigures {
  run50: StackRunResult;
  run1000: StackRunResult;
  floor: KnexFloor;
  nats: NatsFloor | null;
}

export interface BenchSettings {
  quick: boolean;
  builds: number;
  probes: number;
  submitRate: number;
  probeRate: number;
  gearmanPollMs: number;
  buildDurationMs: number;
  /**
   * Builds of the max-servers 1000 run last this long, so that each stays in Gearman's
   * status for a few polls: a build shorter than one poll is never seen as demand.
   */
  probeBuildDurationMs: number;
}

/** The figures README and the brief name, flat, for one database kind. */
export function keyFigures(figures: DatabaseFigures, settings: BenchSettings) {
  const { run50, run1000, floor } = figures;
  const best = run1000.throughput.whole > run50.throughput.whole ? run1000 : run50;
  const connections = (run: StackRunResult) =>
    run.maxUsedConnections ?? run.footprint.sqliteHoldersPeak;
  const pollPlus50 = settings.gearmanPollMs + 50;
  const light = run1000.light;

  return {
    lifecycles_per_s: round(best.throughput.whole),
    lifecycles_per_s_max_servers: best.maxServers,
    lifecycles_per_s_50: round(run50.throughput.whole),
    lifecycles_per_s_1000: round(run1000.throughput.whole),
    steady_lifecycles_per_s_50: round(run50.throughput.steady),
    steady_lifecycles_per_s_1000: round(run1000.throughput.steady),
    floor_lifecycles_per_s: round(floor.lifecyclesPerSecond),
    floor_cpu_ms_per_lifecycle: round(floor.cpuMsPerLifecycle, 2),
    ratio_to_floor: round(best.throughput.whole / floor.lifecyclesPerSecond, 3),
    lifecycle_ms_p50: round(run50.lifecycleMs.p50),
    finalize_to_delete_ms_p50: round(light?.finalizeToDeleteMs.p50),
    finalize_to_delete_ms_p99: round(light?.finalizeToDeleteMs.p99),
    finalize_to_delete_ms_p50_saturated: round(run50.saturated.finalizeToDeleteMs.p50),
    finalize_to_delete_ms_p99_saturated: round(run50.saturated.finalizeToDeleteMs.p99),
    demand_to_create_ms_p50: round(light?.demandToCreateMs.p50),
    demand_to_create_ms_p99: round(light?.demandToCreateMs.p99),
    demand_to_create_target_ms: pollPlus50,
    stages_ms: Object.fromEntries(
      [
        ...Object.entries(light?.stages ?? {}),
        ...Object.entries(run50.saturated.stages).map(
          ([name, v]) => [`${name} saturated`, v] as const,
        ),
      ].map(([name, summary]) => [name, { p50: round(summary.p50), p99: round(summary.p99) }]),
    ),
    db_connections_peak_50: connections(run50),
    db_connections_peak_1000: connections(run1000),
    rss_mb_peak: round(Math.max(run50.footprint.rssMbPeak, run1000.footprint.rssMbPeak)),
    rss_mb_peak_50: round(run50.footprint.rssMbPeak),
    rss_mb_peak_1000: round(run1000.footprint.rssMbPeak),
    rss_mb_total_peak_50: round(run50.footprint.rssMbTotalPeak),
    rss_mb_total_peak_1000: round(run1000.footprint.rssMbTotalPeak),
    cpu_ms_per_lifecycle_50: round(cpuPerLifecycle(run50)),
    messages_per_lifecycle: round(run50.messagesPerLifecycle),
    nats_round_trips_per_s: figures.nats ? round(figures.nats.roundTripsPerSecond) : null,
    nats_round_trip_ms_p50: figures.nats ? round(figures.nats.roundTripMs.p50) : null,
    nats_round_trip_ms_p99: figures.nats ? round(figures.nats.roundTripMs.p99) : null,
  };
}

export type KeyFigures = ReturnType<typeof keyFigures>;

export function actionFigures(report: ActionsReport | null) {
  if (!report || report.actions.length === 0) {
    return { bundle_kb_max: null, cold_start_ms_max: null, warm_ms_p50_max: null };
  }
  const max = (values: (number | null)[]) =>
    Math.max(...values.filter((value): value is number => value !== null));
  return {
    bundle_kb_max: round(max(report.actions.map((a) => a.bytes / 1024))),
    cold_start_ms_max: round(max(report.actions.map((a) => a.coldMs))),
    warm_ms_p50_max: round(max(report.actions.map((a) => a.warmMs.p50))),
  };
}

/** CPU every process of the stack spent per life cycle of the throughput phase, ms. */
export function cpuPerLifecycle(run: StackRunResult): number | null {
  const cycles = run.builds.completed;
  if (cycles === 0) return null;
  const total = Object.values(run.cpu).reduce((sum, spent) => sum + spent.cpuMs, 0);
  return total / cycles;
}

/** Aligned text columns; the first column left-aligned, the others right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function show(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value.toFixed(digits);
}

export function round(value: number | null | undefined, digits = 1): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
