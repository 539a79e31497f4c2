import type { ServerResponse } from 'node:http';
import { glanceFailure, sendEmpty, sendJson, type SimRequest } from './http.ts';
import { paginate } from './nova.ts';
import type { ResolvedOptions, SimImage } from './options.ts';

/**
 * Glance v2: list (with `name` and `status` filters), show and delete. Images are created by
 * Nova's createImage (see snapshots.ts) or by the sim's own control API.
 */
export class Glance {
  constructor(private readonly options: ResolvedOptions) {}

  async handle(request: SimRequest, response: ServerResponse): Promise<void> {
    const parts = request.path.split('/').filter((part) => part !== '').map(decodeURIComponent);
    const [version, collection, id] = parts;
    const known = request.method === 'GET' || (request.method === 'DELETE' && parts.length === 3);
    if (!known || version !== 'v2' || collection !== 'images') {
      throw glanceFailure(404, 'Not Found', 'The resource could not be found.');
    }

    if (id !== undefined && parts.length === 3) {
      const at = this.options.images.findIndex((candidate) => candidate.id === id);
      const image = this.options.images[at];
      if (!image) {
        const detail = request.method === 'DELETE'
          ? `Failed to find image ${id} to delete`
          : `No image found with ID ${id}`;
        throw glanceFailure(404, 'Not Found', detail);
      }
      if (request.method === 'DELETE') {
        this.options.images.splice(at, 1);
        this.options.log?.info({ image: id }, 'sim: image deleted');
        sendEmpty(response, 204);
        return;
      }
      sendJson(response, 200, imageView(image));
      return;
    }
    if (parts.length !== 2) {
      throw glanceFailure(404, 'Not Found', 'The resource could not be found.');
    }

    const name = request.query.get('name');
    const status = request.query.get('status');
    const matching = this.options.images
      .filter((image) => name === null || image.name === name)
      .filter((image) => status === null || image.status === status)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));

    const page = paginate(matching, request, this.options.glancePageSize, (image) => image.id,
      (marker) => glanceFailure(400, 'Bad Request', `marker [${marker}] not found`));
    const body: Record<string, unknown> = {
      images: page.items.map(imageView),
      schema: '/v2/schemas/images',
      first: '/v2/images',
    };
    if (page.nextMarker !== undefined) {
      const query = new URLSearchParams(request.query);
      query.set('marker', page.nextMarker);
      body.next = `/v2/images?${query.toString()}`;
    }
    sendJson(response, 200, body);
  }
}

function imageView(image: Required<SimImage>) {
  return {
    // Glance v2 shows custom properties as top-level keys; its own fields come after them.
    ...image.properties,
    id: image.id,
    name: image.name,
    status: image.status,
    tags: [],
    container_format: 'bare',
    disk_format: 'qcow2',
    created_at: image.createdAt,
    updated_at: image.createdAt,
    visibility: 'public',
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    protected: false,
    checksum: null,
    owner: image.owner,
    os_hidden: false,
    size: null,
    virtual_size: null,
    schema: '/v2/schemas/image',
  };
}
