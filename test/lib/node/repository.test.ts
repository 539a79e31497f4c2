import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openDatabase, type Database } from '../../../lib/db/connect.ts';
import { migrateDown, migrateLatest } from '../../../lib/db/migrate.ts';
import { isWhiskpoolError } from '../../../lib/errors.ts';
import {
  findLiveNodeByName,
  insertRequestedNode,
  listTransitions,
  transitionNode,
} from '../../../lib/node/repository.ts';

describe('node store on SQLite', () => {
  let db: Database;

  before(async () => {
    db = openDatabase({ url: 'sqlite::memory:' });
    await migrateLatest(db);
  });
  after(async () => db.destroy());

  async function newNode(label = 'ci-jessie-wikimedia') {
    return db.transaction((trx) =>
      insertRequestedNode(
        trx,
        { provider: 'cloud', label, target: 'jenkins', az: null },
        1000,
        (id) => ({ hostname: `${label}-${id}.example`, nodeName: `${label}-${id}` }),
      ),
    );
  }

  it('names a new node from its id and records its first transition', async () => {
    const node = await newNode();
    assert.equal(node.state, 'requested');
    assert.equal(node.nodeName, `ci-jessie-wikimedia-${node.id}`);
    const transitions = await listTransitions(db, node.id);
    assert.deepEqual(
      transitions.map((t) => [t.from, t.to]),
      [[null, 'requested']],
    );
  });

  it('lets exactly one of two racing invocations move a node', async () => {
    const node = await newNode();
    const [first, second] = await Promise.all([
      transitionNode(db, node, 'building', { reason: 'a' }),
      transitionNode(db, node, 'building', { reason: 'b' }),
    ]);
    assert.equal([first, second].filter((n) => n !== null).length, 1);
    const transitions = await listTransitions(db, node.id);
    assert.equal(transitions.filter((t) => t.to === 'building').length, 1);
  });

  it('refuses a step outside the node life and changes nothing', async () => {
    const node = await newNode();
    await assert.rejects(transitionNode(db, node, 'ready'), (error) =>
      isWhiskpoolError(error, 'WP_ILLEGAL_TRANSITION'),
    );
    assert.equal((await listTransitions(db, node.id)).length, 1);
  });

  it('finds a live node by its Jenkins name but not a deleted one', async () => {
    let node = await newNode('ci-trusty-wikimedia');
    const name = node.nodeName!;
    assert.equal((await findLiveNodeByName(db, name))?.id, node.id);
    for (const state of ['deleting', 'deleted'] as const) {
      node = (await transitionNode(db, node, state))!;
    }
    assert.equal(await findLiveNodeByName(db, name), null);
  });

  it('migrates down and up again', async () => {
    await migrateDown(db);
    assert.equal(await db.schema.hasTable('nodes'), false);
    await migrateLatest(db);
    assert.equal(await db.schema.hasTable('nodes'), true);
  });
});
