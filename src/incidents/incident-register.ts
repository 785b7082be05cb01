import type { AuditLog } from '../audit/audit-log.js';
import { looksLikeIdentifier } from '../log/scrub.js';
import type { Logger } from '../log/logger.js';
import type { IncidentRow, IncidentSeverity, IncidentsRepository } from '../store/incidents-repository.js';
import type { Clock } from '../time/clock.js';

/** What raises incidents; upstream sees only these kinds and their counts. Add kinds, never rename one. */
export const INCIDENT_KINDS = [
  'login-burst',
  'integrity-failure',
  'keyring-permissions',
  'tamper',
  'break-glass-disclosure',
  'data-breach',
  'other',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const INCIDENT_SEVERITIES: readonly IncidentSeverity[] = ['low', 'medium', 'high', 'critical'];

const HOUR = 60 * 60 * 1000;
/** GDPR art. 33: the authority hears of a breach within 72 hours of its detection. */
export const AUTHORITY_DEADLINE_MS = 72 * HOUR;
/** An unreported incident this close to its deadline is flagged as nearly due. */
const NEARLY_DUE_MS = 24 * HOUR;
/** Automatic incidents of one kind within this time are one incident, not a flood. */
const BURST_FOLD_MS = HOUR;
/**
 * The kinds the box raises by itself and may repeat in bursts; every other incident stands alone.
 * 'tamper' is not folded: each opening of the case is a physical event of its own that may need its
 * own report, and debouncing a chattering switch is the panel's job, not the register's.
 */
const FOLDED_KINDS: ReadonlySet<IncidentKind> = new Set(['login-burst', 'integrity-failure', 'keyring-permissions']);

export type IncidentAlert =
  | { readonly kind: 'overdue'; readonly incident: IncidentRow; readonly dueAt: number }
  | { readonly kind: 'nearly-due'; readonly incident: IncidentRow; readonly dueAt: number };

export interface RaiseIncident {
  readonly kind: IncidentKind;
  readonly severity: IncidentSeverity;
  /** What happened, in words without any identifier (refused otherwise). */
  readonly summary: string;
}

export interface RaisedIncident {
  readonly incident: IncidentRow;
  /** True when the incident was folded into an open one of the same kind from the last hour. */
  readonly folded: boolean;
}

/**
 * What a detector needs of the register. The tamper switch (issue 7) takes this too and calls
 * `raise({ kind: 'tamper', severity: 'critical', summary: 'the case was opened' })`.
 */
export interface IncidentRaiser {
  raise(incident: RaiseIncident): RaisedIncident;
}

/** What the upstream may publish about one closed period: counts only, every kind and severity present. */
export interface IncidentPeriodCounts {
  readonly detectedByKind: Readonly<Record<IncidentKind, number>>;
  readonly detectedBySeverity: Readonly<Record<IncidentSeverity, number>>;
  /** Open at the end of the period. */
  readonly open: number;
  /** Open at the end of the period, past the 72-hour deadline, not reported to the authority by then. */
  readonly overdueUnreported: number;
}

export interface IncidentRegisterOptions {
  readonly incidents: IncidentsRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** When given, every new (not folded) incident writes `incident.raised` in the same transaction. */
  readonly audit?: Pick<AuditLog, 'append'>;
}

/**
 * The incident register (P14): every incident with its 72-hour deadline for the authority, the
 * assessment, and when the authority and the persons concerned were told. Deadlines are elapsed
 * hours, not calendar days, so they need no time-zone math.
 */
export class IncidentRegister implements IncidentRaiser {
  readonly #incidents: IncidentsRepository;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #audit: Pick<AuditLog, 'append'> | undefined;

  constructor(options: IncidentRegisterOptions) {
    this.#incidents = options.incidents;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#audit = options.audit;
  }

  /**
   * Records an incident. An automatic one (login bursts, integrity faults, keyring permissions) that
   * repeats within an hour of an open incident of the same kind is folded into it; the returned row
   * says which. A folded repeat writes nothing, so it is neither a new row nor a new audit entry.
   */
  raise(incident: RaiseIncident): RaisedIncident {
    assertFreeOfIdentifiers(incident.summary, 'summary');
    const now = this.#clock.now();
    const raised = this.#incidents.transaction((): RaisedIncident => {
      const latest = this.#incidents.latestOpenOfKind(incident.kind);
      if (latest && FOLDED_KINDS.has(incident.kind) && now - latest.detectedAt < BURST_FOLD_MS) return { incident: latest, folded: true };
      const id = this.#incidents.insert({ kind: incident.kind, severity: incident.severity, summary: incident.summary, detectedAt: now });
      const row = this.#incidents.findById(id);
      if (!row) throw new Error('incident vanished right after insert');
      // Kind and severity only: the summary is free text and stays in the register.
      this.#audit?.append({
        actorRole: 'system',
        actorId: 'incidents',
        action: 'incident.raised',
        target: `incident-${id}`,
        details: { kind: incident.kind, severity: incident.severity },
      });
      return { incident: row, folded: false };
    });
    if (!raised.folded) this.#logger.warn({ incident: raised.incident.id, kind: incident.kind, severity: incident.severity }, 'incident raised');
    return raised;
  }

  assess(id: number, assessment: string): IncidentRow {
    assertFreeOfIdentifiers(assessment, 'assessment');
    return this.#update(id, { assessment });
  }

  markReportedToAuthority(id: number): IncidentRow {
    return this.#update(id, { reportedToAuthorityAt: this.#clock.now() });
  }

  markPersonsNotified(id: number): IncidentRow {
    return this.#update(id, { notifiedPersonsAt: this.#clock.now() });
  }

  close(id: number): IncidentRow {
    return this.#update(id, { closedAt: this.#clock.now() });
  }

  open(): IncidentRow[] {
    return this.#incidents.open();
  }

  /** Open incidents not yet reported to the authority, past or within 24 hours of their deadline. */
  alerts(): IncidentAlert[] {
    const now = this.#clock.now();
    const alerts: IncidentAlert[] = [];
    for (const incident of this.#incidents.open()) {
      if (incident.reportedToAuthorityAt !== null) continue;
      const dueAt = incident.detectedAt + AUTHORITY_DEADLINE_MS;
      if (now >= dueAt) alerts.push({ kind: 'overdue', incident, dueAt });
      else if (dueAt - now <= NEARLY_DUE_MS) alerts.push({ kind: 'nearly-due', incident, dueAt });
    }
    return alerts;
  }

  /** Kinds and counts only: what the upstream may carry. */
  countsByKind(): Record<string, number> {
    return this.#incidents.countsByKind();
  }

  /** Counts for the upstream: detected in [start, end), and open and overdue as things stood at `end`. */
  countsForPeriod(period: { readonly start: number; readonly end: number }): IncidentPeriodCounts {
    const detectedByKind = Object.fromEntries(INCIDENT_KINDS.map((kind) => [kind, 0])) as Record<IncidentKind, number>;
    const detectedBySeverity = Object.fromEntries(INCIDENT_SEVERITIES.map((severity) => [severity, 0])) as Record<IncidentSeverity, number>;
    for (const { kind, severity, count } of this.#incidents.countDetectedBetween(period.start, period.end)) {
      // The column is plain text: a kind or severity this build does not know is still counted.
      detectedByKind[isIncidentKind(kind) ? kind : 'other'] += count;
      if (isIncidentSeverity(severity)) detectedBySeverity[severity] += count;
    }
    return { detectedByKind, detectedBySeverity, ...this.#incidents.countOpenAt(period.end, AUTHORITY_DEADLINE_MS) };
  }

  #update(id: number, fields: Parameters<IncidentsRepository['update']>[1]): IncidentRow {
    if (!this.#incidents.update(id, fields)) throw new RangeError(`no incident ${id}`);
    const row = this.#incidents.findById(id);
    if (!row) throw new RangeError(`no incident ${id}`);
    return row;
  }
}

export function isIncidentKind(text: string): text is IncidentKind {
  return (INCIDENT_KINDS as readonly string[]).includes(text);
}

function isIncidentSeverity(text: string): text is IncidentSeverity {
  return (INCIDENT_SEVERITIES as readonly string[]).includes(text);
}

function assertFreeOfIdentifiers(text: string, field: string): void {
  if (text.trim() === '') throw new TypeError(`the incident ${field} is empty`);
  if (text.length > 2000) throw new TypeError(`the incident ${field} is longer than 2000 characters`);
  if (looksLikeIdentifier(text)) {
    throw new TypeError(`the incident ${field} holds something shaped like a phone number, e-mail or IP address: describe it without the identifier`);
  }
}
