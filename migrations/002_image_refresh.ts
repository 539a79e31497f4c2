import type { Knex } from 'knex';

/**
 * What a snapshot image refresh needs beyond the image row of 001: the step it is at and
 * since when, a lease that keeps a redelivered step from running alongside the one still
 * working, the attempt's own image timeout, the reason it failed, and the lock column.
 *
 * `refreshing` is 1 on the one building row of a (provider, image) and NULL on every other
 * row; the unique index over it lets exactly one insert of a building row win, on MySQL and
 * SQLite alike, since both let NULLs repeat in a unique index.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('images', (table) => {
    table.string('step', 32).nullable();
    table.bigInteger('step_time').nullable();
    table.bigInteger('lease_until').nullable();
    table.integer('timeout_s').nullable();
    table.string('error', 1024).nullable();
    table.integer('refreshing').nullable();
    table.unique(['provider', 'image_name', 'refreshing'], { indexName: 'images_one_refresh' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('images', (table) => {
    table.dropUnique(['provider', 'image_name', 'refreshing'], 'images_one_refresh');
    table.dropColumn('refreshing');
    table.dropColumn('error');
    table.dropColumn('timeout_s');
    table.dropColumn('lease_until');
    table.dropColumn('step_time');
    table.dropColumn('step');
  });
}
