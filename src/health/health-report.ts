import type { LedModes, PanelConnection } from '../panel/panel.js';
import type { Clock } from '../time/clock.js';
import type { DiskSpace } from './disk-space-watch.js';
import type { FaultCode } from './faults.js';

/** What the update service (src/update/) reports, when main.ts wires it: versions only. */
export interface UpdateHealth {
  /** The version running and committed (healthy after its trial). */
  readonly committed: string;
  /** The version on trial, not yet committed; null when none is. */
  readonly trial: string | null;
}

export interface RetentionRun {
  readonly at: number;
  readonly outcome: 'ok' | 'failed';
}

/**
 * `GET /health` for the technician and the coordinator (docs/health.md): versions, uptime, space,
 * queue depths, the last retention run, the open incident count, fault codes, maintenance mode,
 * the panel and the update state. Counts, codes, versions and times only: nothing about a contact.
 */
export interface HealthReport {
  readonly at: string;
  readonly firmware: string;
  readonly node: string;
  readonly schemas: { readonly database: number | null; readonly upstream: Readonly<Record<string, string>> };
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly disk: DiskSpace | null;
  /** Each null when it could not be read (a failing store): the faults then say why. */
  readonly queues: {
    /** Upstream messages waiting for the broker. */
    readonly outbox: number | null;
    /** Chats waiting for a volunteer. */
    readonly chatQueue: number | null;
    /** Answers and confirmations the relay has not taken yet. */
    readonly mailsUndelivered: number | null;
    /** Contacts ringing or in conversation now. */
    readonly contactsLive: number | null;
  };
  readonly retention: { readonly lastRunAt: string | null; readonly outcome: RetentionRun['outcome'] | null };
  readonly incidents: { readonly open: number | null };
  readonly faults: readonly FaultCode[];
  readonly intake: 'open' | 'stopped';
  readonly maintenance: { readonly active: boolean; readonly until: string | null };
  readonly panel: { readonly kind: 'firmata' | 'fake'; readonly connection: PanelConnection; readonly leds: LedModes };
  /** Absent until the update service is wired. */
  readonly update?: UpdateHealth;
}

/** Where each part comes from; main.ts fills it. Each is read at the moment of the report. */
export interface HealthSources {
  readonly clock: Clock;
  readonly startedAt: number;
  readonly firmware: () => string;
  readonly databaseSchema: () => number;
  readonly upstreamSchemas: Readonly<Record<string, string>>;
  readonly disk: () => DiskSpace | undefined;
  readonly outbox: () => number;
  readonly chatQueue: () => number;
  readonly mailsUndelivered: () => number;
  readonly contactsLive: () => number;
  readonly lastRetentionRun: () => RetentionRun | undefined;
  readonly openIncidents: () => number;
  readonly faults: () => readonly FaultCode[];
  readonly intakeOpen: () => boolean;
  readonly maintenanceUntil: () => number | undefined;
  readonly panel: () => HealthReport['panel'];
  readonly update?: () => UpdateHealth | undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * One reading of everything. A count that cannot be read (a failing store) is null rather than a
 * /health that fails: the report matters most when something is wrong.
 */
export function healthReport(sources: HealthSources): HealthReport {
  const now = sources.clock.now();
  const count = (read: () => number): number | null => {
    try {
      return read();
    } catch {
      return null;
    }
  };
  const lastRun = sources.lastRetentionRun();
  const until = sources.maintenanceUntil();
  const update = sources.update?.();
  return {
    at: iso(now),
    firmware: sources.firmware(),
    node: process.version,
    schemas: { database: count(sources.databaseSchema), upstream: { ...sources.upstreamSchemas } },
    startedAt: iso(sources.startedAt),
    uptimeSeconds: Math.max(0, Math.floor((now - sources.startedAt) / 1000)),
    disk: sources.disk() ?? null,
    queues: {
      outbox: count(sources.outbox),
      chatQueue: count(sources.chatQueue),
      mailsUndelivered: count(sources.mailsUndelivered),
      contactsLive: count(sources.contactsLive),
    },
    retention: { lastRunAt: lastRun ? iso(lastRun.at) : null, outcome: lastRun?.outcome ?? null },
    incidents: { open: count(sources.openIncidents) },
    faults: [...sources.faults()],
    intake: sources.intakeOpen() ? 'open' : 'stopped',
    maintenance: { active: until !== undefined, until: until === undefined ? null : iso(until) },
    panel: sources.panel(),
    ...(update ? { update } : {}),
  };
}
