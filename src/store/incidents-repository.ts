import type { GatewayDatabase } from './open-database.js';

export type IncidentSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface IncidentRow {
  readonly id: number;
  readonly kind: string;
  readonly severity: IncidentSeverity;
  readonly summary: string;
  readonly detectedAt: number;
  readonly assessment: string | null;
  readonly reportedToAuthorityAt: number | null;
  readonly notifiedPersonsAt: number | null;
  readonly closedAt: number | null;
}

interface StoredIncident {
  id: number;
  kind: string;
  severity: string;
  summary: string;
  detected_at: number;
  assessment: string | null;
  reported_to_authority_at: number | null;
  notified_persons_at: number | null;
  closed_at: number | null;
}

const COLUMNS = 'id, kind, severity, summary, detected_at, assessment, reported_to_authority_at, notified_persons_at, closed_at';

function toIncidentRow(row: StoredIncident): IncidentRow {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity as IncidentSeverity,
    summary: row.summary,
    detectedAt: row.detected_at,
    assessment: row.assessment,
    reportedToAuthorityAt: row.reported_to_authority_at,
    notifiedPersonsAt: row.notified_persons_at,
    closedAt: row.closed_at,
  };
}

/** The incident register's table; the register itself (src/incidents) decides what may be written. */
export class IncidentsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(row: { kind: string; severity: IncidentSeverity; summary: string; detectedAt: number }): number {
    return this.#db.run('INSERT INTO incidents (kind, severity, summary, detected_at) VALUES (?, ?, ?, ?)', [
      row.kind,
      row.severity,
      row.summary,
      row.detectedAt,
    ]).lastInsertRowid;
  }

  findById(id: number): IncidentRow | undefined {
    const row = this.#db.get<StoredIncident>(`SELECT ${COLUMNS} FROM incidents WHERE id = ?`, [id]);
    return row ? toIncidentRow(row) : undefined;
  }

  open(): IncidentRow[] {
    return this.#db.all<StoredIncident>(`SELECT ${COLUMNS} FROM incidents WHERE closed_at IS NULL ORDER BY detected_at, id`).map(toIncidentRow);
  }

  /** The newest open incident of a kind, for folding a burst into one entry. */
  latestOpenOfKind(kind: string): IncidentRow | undefined {
    const row = this.#db.get<StoredIncident>(`SELECT ${COLUMNS} FROM incidents WHERE kind = ? AND closed_at IS NULL ORDER BY detected_at DESC, id DESC LIMIT 1`, [kind]);
    return row ? toIncidentRow(row) : undefined;
  }

  update(id: number, fields: { assessment?: string; reportedToAuthorityAt?: number; notifiedPersonsAt?: number; closedAt?: number }): boolean {
    const current = this.findById(id);
    if (!current) return false;
    this.#db.run(
      'UPDATE incidents SET assessment = ?, reported_to_authority_at = ?, notified_persons_at = ?, closed_at = ? WHERE id = ?',
      [
        fields.assessment ?? current.assessment,
        fields.reportedToAuthorityAt ?? current.reportedToAuthorityAt,
        fields.notifiedPersonsAt ?? current.notifiedPersonsAt,
        fields.closedAt ?? current.closedAt,
        id,
      ],
    );
    return true;
  }

  /** Runs `fn` in one transaction (joining an open one), so an incident and its audit entry commit together. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn);
  }

  /** Incidents detected in [start, end), counted per kind and severity. */
  countDetectedBetween(start: number, end: number): Array<{ kind: string; severity: string; count: number }> {
    return this.#db
      .all<{ kind: string; severity: string; n: number }>(
        'SELECT kind, severity, count(*) AS n FROM incidents WHERE detected_at >= ? AND detected_at < ? GROUP BY kind, severity ORDER BY kind, severity',
        [start, end],
      )
      .map((row) => ({ kind: row.kind, severity: row.severity, count: Number(row.n) }));
  }

  /**
   * As things stood at `at`: incidents detected before it and not closed by then, and how many of
   * those were past `deadlineMs` from detection without a report to the authority by then.
   */
  countOpenAt(at: number, deadlineMs: number): { open: number; overdueUnreported: number } {
    const row = this.#db.get<{ open: number | null; overdue: number | null }>(
      `SELECT count(*) AS open,
              sum(CASE WHEN detected_at + ? <= ? AND (reported_to_authority_at IS NULL OR reported_to_authority_at >= ?) THEN 1 ELSE 0 END) AS overdue
       FROM incidents WHERE detected_at < ? AND (closed_at IS NULL OR closed_at >= ?)`,
      [deadlineMs, at, at, at, at],
    );
    return { open: Number(row?.open ?? 0), overdueUnreported: Number(row?.overdue ?? 0) };
  }

  countsByKind(): Record<string, number> {
    return Object.fromEntries(this.#db.all<{ kind: string; n: number }>('SELECT kind, count(*) AS n FROM incidents GROUP BY kind ORDER BY kind').map((row) => [row.kind, row.n]));
  }
}
