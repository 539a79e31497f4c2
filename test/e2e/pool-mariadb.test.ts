import { openDatabase } from '../../lib/db/connect.ts';
import { migrateLatest } from '../../lib/db/migrate.ts';
import { mariadbSkip, startTestMariaDb, type TestMariaDb } from '../support/mariadb.ts';
import { describePoolEndToEnd } from '../support/pool-e2e.ts';

let mariadb: TestMariaDb | undefined;

describePoolEndToEnd('the pool on MariaDB', {
  skip: mariadbSkip(),
  async database() {
    mariadb = await startTestMariaDb();
    const url = await mariadb.createDatabase();
    // As in production: the schema is brought up before any action runs (`whiskpool migrate`).
    const db = openDatabase({ url });
    await migrateLatest(db);
    await db.destroy();
    return url;
  },
  async finish() {
    await mariadb?.stop();
  },
});
