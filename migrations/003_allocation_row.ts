import type { Knex } from 'knex';

/**
 * Creates the row that reconcile locks with SELECT ... FOR UPDATE before it allocates. While
 * the row is missing, MySQL locks the gap where it would be instead, and the first
 * allocations of a fresh pool, run at once, deadlock on the insert that creates it.
 * `null` is an allocation history with no rounds yet.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('pool_state')
    .insert({ name: 'allocation', value: 'null', updated_at: 0 })
    .onConflict('name')
    .ignore();
}

/** The row stays: reconcile would create it anyway, and it holds the allocation history. */
export async function down(): Promise<void> {}
