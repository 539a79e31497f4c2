import type { Knex } from 'knex';

/**
 * The extra servers of a multi-machine set (a label's `subnodes: N`), as Nodepool's `subnode`
 * table kept them. Each belongs to one node, its primary, and lives and dies with it;
 * `position` (1..N) makes creating a primary's subnodes twice harmless.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('subnodes', (table) => {
    table.increments('id').primary();
    table.integer('node_id').notNullable().index();
    table.integer('position').notNullable();
    table.string('hostname', 255).nullable().index();
    table.string('external_id', 255).nullable().index();
    table.string('ip', 64).nullable();
    table.string('ip_private', 64).nullable();
    table.integer('ssh_port').nullable();
    table.string('state', 16).notNullable().index();
    table.bigInteger('state_time').notNullable();
    table.bigInteger('created_at').notNullable();
    table.unique(['node_id', 'position'], { indexName: 'subnodes_one_per_position' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('subnodes');
}
