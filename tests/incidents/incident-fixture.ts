import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/audit/index.js';
import { IncidentRegister } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { IncidentsRepository, type IncidentRow } from '../../src/store/incidents-repository.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualClock } from '../../src/time/clock.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A temp dir with a database, an audit log and a register that audits what it raises. */
export interface IncidentFixture {
  readonly root: string;
  readonly clock: ManualClock;
  readonly database: GatewayDatabase;
  readonly audit: AuditLog;
  readonly register: IncidentRegister;
  /** Every incident ever raised, open or closed, oldest first. */
  incidents(): IncidentRow[];
  cleanup(): void;
}

export function openIncidentFixture(start = new Date('2025-10-25T22:00:00Z')): IncidentFixture {
  const root = mkdtempSync(join(tmpdir(), 'hgw-incidents-'));
  const database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger: silentLogger() });
  const clock = new ManualClock(start);
  const audit = new AuditLog({ database, clock });
  const repository = new IncidentsRepository(database);
  const register = new IncidentRegister({ incidents: repository, clock, logger: silentLogger(), audit });
  return {
    root,
    clock,
    database,
    audit,
    register,
    incidents: () =>
      database
        .all<{ id: number }>('SELECT id FROM incidents ORDER BY id')
        .map((row) => repository.findById(row.id))
        .filter((row): row is IncidentRow => row !== undefined),
    cleanup: () => {
      if (database.isOpen) database.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
