import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import type { StatsMessage } from '../../src/upstream/stats-message.js';
import { insertPublished } from './stats-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const example = JSON.parse(readFileSync(join(ROOT, 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;

export interface ReportDirectory {
  readonly root: string;
  readonly configPath: string;
  readonly dataDir: string;
  /** Opens the box's database (the service would hold it), runs `action`, closes it. */
  withDatabase<T>(action: (database: GatewayDatabase) => T): T;
  publish(messages: readonly StatsMessage[]): void;
  close(): void;
}

/** A box's data directory with the example config pointing at it, for the report and export commands. */
export function reportDirectory(): ReportDirectory {
  const root = mkdtempSync(join(tmpdir(), 'hgw-report-'));
  const dataDir = join(root, 'data');
  const configPath = join(root, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...example, dataDir, keyringDir: undefined, line: { kind: 'simulated' } }));
  const withDatabase = <T>(action: (database: GatewayDatabase) => T): T => {
    const database = GatewayDatabase.open({ path: join(dataDir, 'gateway.db'), logger: silentLogger() });
    try {
      return action(database);
    } finally {
      database.close();
    }
  };
  return {
    root,
    configPath,
    dataDir,
    withDatabase,
    publish: (messages) => withDatabase((database) => insertPublished(database, messages)),
    close: () => rmSync(root, { recursive: true, force: true }),
  };
}
