/**
 * NATS subjects. Everything whiskpool says travels under `whiskpool.>` in one work-queue
 * stream; failed work that ran out of tries is parked under `whiskpool-dead.>`.
 *
 * nats-server 2.9 (Debian 12) allows one filter subject per consumer, so each consumer owns
 * one subject prefix and the dispatcher routes by the rest of the subject.
 */
export const Subject = {
  /** Demand per label as last read from Gearman (a snapshot; only the newest matters). */
  Demand: 'whiskpool.demand',
  BuildStarted: 'whiskpool.build.started',
  BuildCompleted: 'whiskpool.build.completed',
  BuildFinalized: 'whiskpool.build.finalized',
  NodeSpawn: 'whiskpool.node.spawn',
  NodeReadyCheck: 'whiskpool.node.ready-check',
  NodeRegister: 'whiskpool.node.register',
  NodeDelete: 'whiskpool.node.delete',
  /** Asks for a reconcile pass: after a node is deleted, or on a timer. */
  Reconcile: 'whiskpool.tick.reconcile',
  Sweep: 'whiskpool.tick.sweep',
  /** Asks for a new snapshot of one provider image (cron, operator, or none ready yet). */
  ImageRefresh: 'whiskpool.image.refresh',
  /** Runs the step a snapshot image's refresh is at. */
  ImageStep: 'whiskpool.image.step',
  /** Removes a failed or retired snapshot image and its template server from the cloud. */
  ImageDelete: 'whiskpool.image.delete',
} as const;

export type Subject = (typeof Subject)[keyof typeof Subject];

export const WORK_STREAM = 'WHISKPOOL';
export const WORK_SUBJECTS = 'whiskpool.>';
export const DEAD_STREAM = 'WHISKPOOL_DEAD';
export const DEAD_PREFIX = 'whiskpool-dead';

/** The actions whiskpool runs: one per step of a node's life, and the image refresh. */
export const ActionName = {
  Reconcile: 'reconcile',
  Spawn: 'spawn',
  ReadyCheck: 'ready-check',
  Register: 'register',
  Offline: 'offline',
  Delete: 'delete',
  ImageRefresh: 'image-refresh',
} as const;

export type ActionName = (typeof ActionName)[keyof typeof ActionName];

/** Which action handles a message on which subject. */
export const ROUTES: Record<Subject, ActionName> = {
  [Subject.Demand]: ActionName.Reconcile,
  [Subject.Reconcile]: ActionName.Reconcile,
  [Subject.Sweep]: ActionName.Reconcile,
  [Subject.BuildStarted]: ActionName.Offline,
  [Subject.BuildCompleted]: ActionName.Offline,
  [Subject.BuildFinalized]: ActionName.Delete,
  [Subject.NodeSpawn]: ActionName.Spawn,
  [Subject.NodeReadyCheck]: ActionName.ReadyCheck,
  [Subject.NodeRegister]: ActionName.Register,
  [Subject.NodeDelete]: ActionName.Delete,
  [Subject.ImageRefresh]: ActionName.ImageRefresh,
  [Subject.ImageStep]: ActionName.ImageRefresh,
  [Subject.ImageDelete]: ActionName.ImageRefresh,
};

export interface ConsumerSpec {
  durable: string;
  filter: string;
  /** How many of its messages the dispatcher works on at once. */
  concurrency: number;
}

export const CONSUMERS: readonly ConsumerSpec[] = [
  { durable: 'demand', filter: Subject.Demand, concurrency: 1 },
  { durable: 'tick', filter: 'whiskpool.tick.>', concurrency: 1 },
  { durable: 'build', filter: 'whiskpool.build.>', concurrency: 16 },
  { durable: 'node', filter: 'whiskpool.node.>', concurrency: 32 },
  { durable: 'image', filter: 'whiskpool.image.>', concurrency: 4 },
];

export function isSubject(value: string): value is Subject {
  return Object.values(Subject).includes(value as Subject);
}
