import type { Knex } from 'knex';

import type { DemandMessage } from '../events/messages.ts';

/**
 * Stores the newest demand snapshot. Labels missing from it had nothing queued. Snapshots
 * can arrive out of order after a redelivery, so an older one never overwrites a newer one.
 */
export async function saveDemand(db: Knex, message: DemandMessage): Promise<boolean> {
  return db.transaction(async (trx) => {
    const newest = (await trx('label_demand').max({ at: 'updated_at' }).first()) as
      | { at: number | string | null }
      | undefined;
    if (newest?.at !== null && newest?.at !== undefined && Number(newest.at) > message.at) {
      return false;
    }

    await trx('label_demand').del();
    const rows = Object.entries(message.labels).map(([label, demand]) => ({
      label,
      demand,
      updated_at: message.at,
    }));
    if (rows.length > 0) await trx('label_demand').insert(rows);
    // An empty snapshot still needs a row to carry its time.
    if (rows.length === 0) {
      await trx('label_demand').insert({ label: '', demand: 0, updated_at: message.at });
    }
    return true;
  });
}

export interface DemandSnapshot {
  labels: Map<string, number>;
  /** When Gearman was read; 0 before the first snapshot. */
  at: number;
}

export async function loadDemand(db: Knex | Knex.Transaction): Promise<DemandSnapshot> {
  const rows = (await db('label_demand').select('label', 'demand', 'updated_at')) as {
    label: string;
    demand: number;
    updated_at: number | string;
  }[];
  return {
    labels: new Map(rows.filter((row) => row.label !== '').map((row) => [row.label, row.demand])),
    at: rows.reduce((newest, row) => Math.max(newest, Number(row.updated_at)), 0),
  };
}
