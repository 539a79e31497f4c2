import type { ServerResponse } from 'node:http';

import { HttpFailure, sendJson, type SimRequest } from './http.ts';
import type { ResolvedOptions, SimNetwork } from './options.ts';

/**
 * Neutron's networks, read only: list (with the `name` filter) and show. The rest of Neutron
 * is left out; Nova's own view of a server's addresses is all the pool needs besides.
 */
export class Networks {
  constructor(private readonly options: ResolvedOptions) {}

  async handle(request: SimRequest, response: ServerResponse): Promise<void> {
    const parts = request.path.split('/').filter((part) => part !== '').map(decodeURIComponent);
    const [version, collection, id] = parts;
    if (request.method !== 'GET' || version !== 'v2.0' || collection !== 'networks') {
      throw neutronFailure(404, 'HTTPNotFound', 'The resource could not be found.');
    }

    if (id !== undefined) {
      const network = this.options.networks.find((candidate) => candidate.id === id);
      if (!network || parts.length > 3) {
        throw neutronFailure(404, 'NetworkNotFound', `Network ${id} could not be found.`);
      }
      sendJson(response, 200, { network: this.view(network) });
      return;
    }

    const name = request.query.get('name');
    const matching = this.options.networks.filter((n) => name === null || n.name === name);
    sendJson(response, 200, { networks: matching.map((network) => this.view(network)) });
  }

  private view(network: SimNetwork) {
    return {
      id: network.id,
      name: network.name,
      status: 'ACTIVE',
      admin_state_up: true,
      shared: false,
      'router:external': false,
      subnets: [],
      mtu: 1450,
      tenant_id: this.options.projectId,
      project_id: this.options.projectId,
    };
  }
}

/** Neutron's error body. */
function neutronFailure(status: number, type: string, message: string): HttpFailure {
  return new HttpFailure(status, JSON.stringify({ NeutronError: { type, message, detail: '' } }), {
    'Content-Type': 'application/json',
  });
}
