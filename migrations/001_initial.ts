import type { Knex } from 'knex';

/**
 * Nodes, their transitions, snapshot images and the small pieces of pool state that stateless
 * actions share. Times are epoch milliseconds in BIGINT columns so that MySQL and SQLite agree.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('nodes', (table) => {
    table.increments('id').primary();
    table.string('provider', 255).notNullable().index();
    table.string('label', 255).notNullable().index();
    table.string('target', 255).notNullable().index();
    table.string('az', 255).nullable();
    table.string('hostname', 255).nullable().index();
    table.string('node_name', 255).nullable().index();
    table.string('external_id', 255).nullable().index();
    table.string('image_ref', 255).nullable();
    table.string('ip', 64).nullable();
    table.string('ip_private', 64).nullable();
    table.integer('ssh_port').nullable();
    table.string('state', 16).notNullable().index();
    table.bigInteger('state_time').notNullable();
    table.bigInteger('created_at').notNullable();
    table.integer('version').notNullable().defaultTo(0);
    table.integer('launch_attempts').notNullable().defaultTo(0);
    table.string('build', 512).nullable();
    table.string('comment', 1024).nullable();
    table.string('error', 1024).nullable();
  });

  await knex.schema.createTable('node_transitions', (table) => {
    table.bigIncrements('id').primary();
    table.integer('node_id').notNullable().index();
    table.string('from_state', 16).nullable();
    table.string('to_state', 16).notNullable();
    table.bigInteger('at').notNullable().index();
    table.string('reason', 1024).nullable();
  });

  await knex.schema.createTable('images', (table) => {
    table.increments('id').primary();
    table.string('provider', 255).notNullable().index();
    table.string('image_name', 255).notNullable().index();
    table.string('hostname', 255).nullable();
    table.bigInteger('version').notNullable();
    table.string('external_id', 255).nullable();
    table.string('server_external_id', 255).nullable();
    table.string('state', 16).notNullable().index();
    table.bigInteger('state_time').notNullable();
  });

  // Demand per label as last seen in Gearman; reconcile reads it whatever woke it up.
  await knex.schema.createTable('label_demand', (table) => {
    table.string('label', 255).primary();
    table.integer('demand').notNullable();
    table.bigInteger('updated_at').notNullable();
  });

  // Named values shared by invocations: allocation history, sweep rounds. One row per name;
  // the allocation row doubles as the lock that serialises allocations on MySQL.
  await knex.schema.createTable('pool_state', (table) => {
    table.string('name', 64).primary();
    table.text('value').notNullable();
    table.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pool_state');
  await knex.schema.dropTableIfExists('label_demand');
  await knex.schema.dropTableIfExists('images');
  await knex.schema.dropTableIfExists('node_transitions');
  await knex.schema.dropTableIfExists('nodes');
}
