import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startOpenStackSim, type OpenStackSim } from '../../../sim/openstack/index.ts';
import { RawApi } from './raw-api.ts';

describe('OpenStack stand-in: Glance', () => {
  let sim: OpenStackSim;
  let api: RawApi;
  before(async () => {
    sim = await startOpenStackSim({
      glancePageSize: 2,
      images: [
        { name: 'base', createdAt: '2015-01-01T00:00:00Z' },
        { name: 'snap', createdAt: '2015-02-01T00:00:00Z' },
        { name: 'snap', createdAt: '2015-03-01T00:00:00Z', status: 'saving' },
      ],
    });
    api = new RawApi(sim);
  });
  after(() => sim.close());

  it("shows images with every field of Glance's sample", async () => {
    const list = await api.glance('/v2/images?name=base');
    const shown = await api.glance(`/v2/images/${list.body.images[0].id}`);
    const url = new URL(
      '../../../../shared/data/openstack-api/glance_2016-06_v2_image-show-response.json',
      import.meta.url,
    );
    for (const key of Object.keys(JSON.parse(readFileSync(url, 'utf8')))) {
      assert.ok(key in shown.body, `image lacks ${key}`);
    }
  });

  it('filters by name, newest first', async () => {
    const list = await api.glance('/v2/images?name=snap');
    assert.deepEqual(list.body.images.map((i: any) => i.status), ['saving', 'active']);
  });

  it('pages with a next link that carries the marker and the filters', async () => {
    const first = await api.glance('/v2/images');
    assert.equal(first.body.images.length, 2);
    assert.match(first.body.next, /^\/v2\/images\?.*marker=/);

    const second = await api.glance(first.body.next);
    assert.equal(second.body.images.length, 1);
    assert.equal(second.body.next, undefined);
  });

  it('answers an unknown image id with a 404 page', async () => {
    const response = await api.glance('/v2/images/00000000-0000-0000-0000-000000000000');
    assert.equal(response.status, 404);
    assert.match(response.text, /No image found with ID/);
  });

  it('serves images added at run time', async () => {
    const added = sim.addImage({ name: 'fresh' });
    const list = await api.glance('/v2/images?name=fresh');
    assert.equal(list.body.images[0].id, added.id);
  });
});
