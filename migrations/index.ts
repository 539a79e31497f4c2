import type { Knex } from 'knex';

import * as initial from './001_initial.ts';
import * as imageRefresh from './002_image_refresh.ts';
import * as allocationRow from './003_allocation_row.ts';
import * as nodeCheckedAt from './004_node_checked_at.ts';
import * as subnodes from './005_subnodes.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are listed here rather than read from a directory, so that bundled actions and the
 * CLI run exactly the same list. Append only; never rename an entry.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initial,
  '002_image_refresh': imageRefresh,
  '003_allocation_row': allocationRow,
  '004_node_checked_at': nodeCheckedAt,
  '005_subnodes': subnodes,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return Object.keys(MIGRATIONS);
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    const migration = MIGRATIONS[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
