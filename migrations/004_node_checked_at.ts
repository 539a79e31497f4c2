import type { Knex } from 'knex';

/**
 * When a step last looked at a node that is waiting (a server still booting, a delete not yet
 * confirmed). The sweep re-sends a node's step only when nothing has looked at it for a while,
 * so that a waiting node never gets a second chain of polls.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('nodes', (table) => {
    table.bigInteger('checked_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('nodes', (table) => {
    table.dropColumn('checked_at');
  });
}
