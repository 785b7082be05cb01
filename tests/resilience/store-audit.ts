import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase, type SqlParams } from '../../src/store/open-database.js';
import type { StationLedger } from './station-ledger.js';
import type { UpstreamLedger } from './upstream-ledger.js';

/** What the store holds after the runs, set against what the stations and the central office were told. */
export interface StoreAudit {
  readonly integrity: string;
  readonly contacts: number;
  readonly registrations: number;
  readonly closedPeriods: number;
  readonly lastSeq: number;
  readonly outboxWaiting: number;
  /** References a station was shown (recorded) that are not in the contacts table exactly once. */
  readonly referencesLost: readonly string[];
  /** Wrap-ups answered 200 whose registration is not stored. */
  readonly wrapUpsLost: readonly string[];
  /** Closed periods (stats_periods) whose stats message did not arrive, or arrived different from the box's copy. */
  readonly periodsLost: readonly string[];
  /** Closed periods whose incident message (the next seq) did not arrive. */
  readonly incidentMessagesLost: readonly string[];
  /** Period starts where a closed period does not begin where the one before it ended. */
  readonly periodGaps: readonly string[];
  /** Seqs the box gave out that the central office never received (the outbox must be empty first). */
  readonly seqsMissing: readonly number[];
}

interface PeriodRow {
  period_start: number;
  period_end: number;
  seq: number | null;
  payload: string | null;
}

export function recordsLost(audit: StoreAudit): number {
  return audit.referencesLost.length + audit.wrapUpsLost.length + audit.periodsLost.length + audit.incidentMessagesLost.length + audit.seqsMissing.length;
}

/** Opens the database the box left (the box is stopped) and checks it against both ledgers. */
export function auditStore(databasePath: string, station: StationLedger, upstream: UpstreamLedger): StoreAudit {
  const database = GatewayDatabase.open({ path: databasePath, logger: silentLogger() });
  try {
    const count = (sql: string, params: SqlParams = []): number => Number(database.get<{ n: number }>(sql, params)?.n ?? 0);
    const referencesLost = [...station.shown]
      .filter(([, recorded]) => recorded)
      .map(([reference]) => reference)
      .filter((reference) => count('SELECT COUNT(*) AS n FROM contacts WHERE reference = ?', [reference]) !== 1);
    const wrapUpsLost = [...station.acknowledged].filter(
      (reference) =>
        count("SELECT COUNT(*) AS n FROM contacts c JOIN registrations r ON r.contact_id = c.id WHERE c.reference = ? AND c.state = 'registered'", [reference]) !== 1,
    );
    const periods = database.all<PeriodRow>(
      'SELECT s.period_start, s.period_end, p.seq, p.payload FROM stats_periods s LEFT JOIN published_stats p ON p.period_start = s.period_start ORDER BY s.period_start',
      [],
    );
    const received = upstream.bySeq();
    const at = (row: PeriodRow): string => new Date(row.period_start).toISOString();
    const periodsLost = periods.filter((row) => row.seq === null || received.get(row.seq)?.payload !== row.payload || received.get(row.seq)?.kind !== 'stats').map(at);
    const incidentMessagesLost = periods.filter((row) => row.seq === null || received.get(row.seq + 1)?.kind !== 'incident').map(at);
    const periodGaps = periods.slice(1).filter((row, index) => periods[index]?.period_end !== row.period_start).map(at);
    const lastSeq = Number(database.get<{ value: string }>("SELECT value FROM meta WHERE key = 'upstream.seq'", [])?.value ?? 0);
    const seqsMissing: number[] = [];
    for (let seq = 1; seq <= lastSeq; seq++) if (!received.has(seq)) seqsMissing.push(seq);
    return {
      integrity: database.integrityCheck(),
      contacts: count('SELECT COUNT(*) AS n FROM contacts'),
      registrations: count('SELECT COUNT(*) AS n FROM registrations'),
      closedPeriods: periods.length,
      lastSeq,
      outboxWaiting: count('SELECT COUNT(*) AS n FROM outbox'),
      referencesLost,
      wrapUpsLost,
      periodsLost,
      incidentMessagesLost,
      periodGaps,
      seqsMissing,
    };
  } finally {
    database.close();
  }
}
