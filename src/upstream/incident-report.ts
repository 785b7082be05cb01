import { INCIDENT_KINDS, INCIDENT_SEVERITIES, type IncidentKind, type IncidentPeriodCounts } from '../incidents/incident-register.js';
import type { IncidentSeverity } from '../store/incidents-repository.js';
import { formatLocalIso, type Period, type PeriodLength } from './period-calendar.js';
import { encodeIncidentMessage, incidentTopic, type IncidentMessage } from './topics.js';

/** What the upstream reads of the incident register (IncidentRegister implements it): counts only. */
export interface IncidentCountsSource {
  countsForPeriod(period: Period): IncidentPeriodCounts;
}

/**
 * A further message made for each closed statistics period, inside the transaction that closes it:
 * the period and its messages are written together or not at all.
 */
export interface PeriodMessageSource {
  messageFor(period: Period, seq: number): { readonly topic: string; readonly payload: string };
}

export interface IncidentReportOptions {
  readonly site: string;
  readonly session: string;
  readonly timeZone: string;
  readonly periodLength: PeriodLength;
  readonly incidents: IncidentCountsSource;
}

/**
 * The `incident` message of a closed period: incidents detected in it per kind and per severity,
 * and how many were open and overdue at its end. Built from counts alone, so there is nothing in
 * it (summary, assessment, id, exact time) that could say more than "how many, of which kind".
 */
export class IncidentReport implements PeriodMessageSource {
  readonly #options: IncidentReportOptions;

  constructor(options: IncidentReportOptions) {
    this.#options = options;
  }

  messageFor(period: Period, seq: number): { topic: string; payload: string } {
    const { site, session, timeZone, periodLength, incidents } = this.#options;
    const counts = incidents.countsForPeriod(period);
    const message: IncidentMessage = {
      schema: 'helpline.incident/1',
      site,
      session,
      seq,
      period: { start: formatLocalIso(period.start, timeZone), end: formatLocalIso(period.end, timeZone), length: periodLength },
      // Rebuilt from the fixed lists: whatever else a source might return is not forwarded.
      detectedByKind: Object.fromEntries(INCIDENT_KINDS.map((kind) => [kind, counts.detectedByKind[kind]])) as Record<IncidentKind, number>,
      detectedBySeverity: Object.fromEntries(INCIDENT_SEVERITIES.map((severity) => [severity, counts.detectedBySeverity[severity]])) as Record<IncidentSeverity, number>,
      open: counts.open,
      overdueUnreported: counts.overdueUnreported,
    };
    return { topic: incidentTopic(site), payload: encodeIncidentMessage(message) };
  }
}
