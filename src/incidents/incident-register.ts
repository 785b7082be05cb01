import { looksLikeIdentifier } from '../log/scrub.js';
import type { Logger } from '../log/logger.js';
import type { IncidentRow, IncidentSeverity, IncidentsRepository } from '../store/incidents-repository.js';
import type { Clock } from '../time/clock.js';

/** What raises incidents; upstream sees only these kinds and their counts. */
export type IncidentKind =
  | 'login-burst'
  | 'integrity-failure'
  | 'keyring-permissions'
  | 'tamper'
  | 'break-glass-disclosure'
  | 'data-breach'
  | 'other';

const HOUR = 60 * 60 * 1000;
/** GDPR art. 33: the authority hears of a breach within 72 hours of its detection. */
export const AUTHORITY_DEADLINE_MS = 72 * HOUR;
/** An unreported incident this close to its deadline is flagged as nearly due. */
const NEARLY_DUE_MS = 24 * HOUR;
/** Automatic incidents of one kind within this time are one incident, not a flood. */
const BURST_FOLD_MS = HOUR;
/** The kinds the box raises by itself and may repeat in bursts; every other incident stands alone. */
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

/**
 * The incident register (P14): every incident with its 72-hour deadline for the authority, the
 * assessment, and when the authority and the persons concerned were told. Deadlines are elapsed
 * hours, not calendar days, so they need no time-zone math.
 */
export class IncidentRegister {
  readonly #incidents: IncidentsRepository;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: { incidents: IncidentsRepository; clock: Clock; logger: Logger }) {
    this.#incidents = options.incidents;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /**
   * Records an incident. An automatic one (login bursts, integrity faults) that repeats within an
   * hour of an open incident of the same kind is folded into it; the returned row says which.
   */
  raise(incident: RaiseIncident): { incident: IncidentRow; folded: boolean } {
    assertFreeOfIdentifiers(incident.summary, 'summary');
    const now = this.#clock.now();
    const latest = this.#incidents.latestOpenOfKind(incident.kind);
    if (latest && FOLDED_KINDS.has(incident.kind) && now - latest.detectedAt < BURST_FOLD_MS) return { incident: latest, folded: true };
    const id = this.#incidents.insert({ ...incident, detectedAt: now });
    const row = this.#incidents.findById(id);
    if (!row) throw new Error('incident vanished right after insert');
    this.#logger.warn({ incident: id, kind: incident.kind, severity: incident.severity }, 'incident raised');
    return { incident: row, folded: false };
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

  #update(id: number, fields: Parameters<IncidentsRepository['update']>[1]): IncidentRow {
    if (!this.#incidents.update(id, fields)) throw new RangeError(`no incident ${id}`);
    const row = this.#incidents.findById(id);
    if (!row) throw new RangeError(`no incident ${id}`);
    return row;
  }
}

function assertFreeOfIdentifiers(text: string, field: string): void {
  if (text.trim() === '') throw new TypeError(`the incident ${field} is empty`);
  if (text.length > 2000) throw new TypeError(`the incident ${field} is longer than 2000 characters`);
  if (looksLikeIdentifier(text)) {
    throw new TypeError(`the incident ${field} holds something shaped like a phone number, e-mail or IP address: describe it without the identifier`);
  }
}
