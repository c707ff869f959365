/**
 * Which storage engine the kit's fleets use, from the environment: FLEET_TEST_STORAGE=postgres with
 * FLEET_TEST_PG_URL=postgres://… (a running cluster; `npm test` starts one) gives every fleet its
 * own fresh database on that cluster; unset or `sqlite` keeps SQLite in the fleet's temp data dir.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type pg from 'pg';
import type { TestLike } from './test-like.js';

export type TestStorage = 'sqlite' | 'postgres';

/** The engine this test run uses (FLEET_TEST_STORAGE); throws on an unknown value or a missing URL. */
export function testStorage(env: Record<string, string | undefined> = process.env): TestStorage {
  const value = env.FLEET_TEST_STORAGE ?? '';
  if (value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') {
    if (!env.FLEET_TEST_PG_URL) {
      throw new Error('FLEET_TEST_STORAGE=postgres needs FLEET_TEST_PG_URL=postgres://… (a running cluster)');
    }
    return 'postgres';
  }
  throw new Error(`FLEET_TEST_STORAGE must be sqlite or postgres (got ${JSON.stringify(value)})`);
}

let databaseCount = 0;

/** One connection to the PostgreSQL at `url` for `use`, closed after it. */
export async function withPgClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const { Client } = (await import('pg')).default;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh, empty database on the cluster at `clusterUrl` (default FLEET_TEST_PG_URL), named
 * `fleet_t_<pid>_<n>_<random>`; returns its URL. Dropped at teardown: register this before the
 * teardown that stops whatever uses it (tap runs teardowns last-in first-out). The drop waits up to
 * 2 s for connections still closing, then ends any still open (WITH (FORCE)).
 */
export async function testDatabase(t: TestLike, clusterUrl = process.env.FLEET_TEST_PG_URL): Promise<string> {
  if (!clusterUrl) throw new Error('testDatabase: no cluster URL (set FLEET_TEST_PG_URL)');
  const name = `fleet_t_${process.pid}_${++databaseCount}_${randomBytes(3).toString('hex')}`;
  await withPgClient(clusterUrl, async (client) => {
    // CREATE DATABASE copies template1; it refuses while another session is connected to it (55006).
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await new Promise((resolveRetry) => setTimeout(resolveRetry, 50 * attempt));
      }
    }
  });
  t.teardown(() =>
    withPgClient(clusterUrl, async (client) => {
      // A pool that has ended may still be closing its sockets (pg's Pool.end resolves before they are
      // closed): forced off by the drop, such a client reports "terminating connection due to administrator
      // command" as an error in the test's process (seen in CI). They get up to 2 s to go by themselves.
      for (let waited = 0; waited < 2000; waited += 50) {
        const open = await client.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (open.rows[0]!.n === 0) break;
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      }
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }),
  );
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Rows read straight from a fleet's database, whether its server runs or was killed: the PostgreSQL
 * database at `storage.url`, or SQLite's `<dataDir>/fleet.db` opened read-only. For tests that check
 * what a crashed server left behind (the kill -9 suites).
 */
export async function queryFleetDatabase(
  storage: { driver: string; url?: string },
  dataDir: string,
  text: string,
): Promise<Record<string, unknown>[]> {
  if (storage.driver === 'postgres') {
    if (!storage.url) throw new Error('queryFleetDatabase: a postgres storage needs its url');
    return withPgClient(storage.url, async (client) => (await client.query(text)).rows as Record<string, unknown>[]);
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'fleet.db'), { readonly: true });
  try {
    return db.prepare(text).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
