import { randomUUID } from 'node:crypto';
import type { FaultSwitch } from './faults.ts';
import type { ResolvedOptions, SimImage } from './options.ts';
import { iso, type SimServer } from './servers.ts';

export interface SnapshotRequest {
  server: SimServer;
  name: string;
  metadata: Record<string, string>;
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
}

/**
 * Nova's createImage as the stand-in plays it: a Glance image appears `queued`, goes `saving`
 * while the server's task state says the upload runs, and ends `active` after the configured
 * delay, or `killed` (or never) when a fault says so.
 */
export class Snapshots {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly faults: FaultSwitch,
  ) {}

  create(request: SnapshotRequest): Required<SimImage> {
    const { server } = request;
    const image: Required<SimImage> = {
      id: randomUUID(),
      name: request.name,
      status: 'queued',
      createdAt: iso(new Date()),
      minRam: 0,
      minDisk: server.flavor.disk,
      // Nova's own keys beside the caller's metadata, as Zed writes them; the project owns it.
      properties: {
        ...request.metadata,
        image_type: 'snapshot',
        instance_uuid: server.id,
        base_image_ref: server.imageId,
        user_id: request.userId,
        owner_project_name: request.projectName,
        owner_user_name: request.userName,
        boot_roles: 'member',
      },
      owner: request.projectId,
    };
    this.options.images.push(image);
    server.taskState = 'image_snapshot';

    const stuck = this.faults.fire('stuckSnapshots') !== undefined;
    const killed = !stuck && this.faults.fire('snapshotErrors') !== undefined;

    this.later(0, () => {
      if (!this.exists(image.id)) return;
      image.status = 'saving';
      if (server.taskState === 'image_snapshot') server.taskState = 'image_uploading';
      if (stuck) return;

      this.later(this.options.snapshotDelayMs, () => {
        if (server.taskState === 'image_uploading') server.taskState = null;
        if (!this.exists(image.id)) return;
        image.status = killed ? 'killed' : 'active';
        this.options.log?.info({ image: image.id, status: image.status }, 'sim: snapshot done');
      });
    });
    return image;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** A snapshot deleted from Glance while it was being written stays deleted. */
  private exists(id: string): boolean {
    return this.options.images.some((image) => image.id === id);
  }

  private later(ms: number, work: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }
}
