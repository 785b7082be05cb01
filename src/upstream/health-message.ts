import { z } from 'zod';
import { FAULT_CODES, type FaultCode } from '../health/faults.js';
import type { HealthReport, UpdateHealth } from '../health/health-report.js';
import type { PanelConnection } from '../panel/panel.js';

export const HEALTH_SCHEMA = 'helpline.health/1';

const MIB = 1024 * 1024;

/**
 * The box's health for the central office (`helpline.health/1`, docs/upstream.md): what /health
 * shows the technician, less what only matters at the site (the LEDs, contacts in progress).
 * Versions, counts, codes and times only. Space is in MiB and uptime in minutes, so no field is a
 * run of nine or more digits, which the central office's guard reads as a possible phone number.
 */
export interface HealthMessage {
  readonly schema: typeof HEALTH_SCHEMA;
  readonly site: string;
  readonly session: string;
  readonly at: string;
  readonly firmware: string;
  readonly node: string;
  readonly databaseSchema: number | null;
  readonly uptimeMinutes: number;
  readonly disk: { readonly freeMiB: number; readonly totalMiB: number } | null;
  readonly queues: { readonly outbox: number | null; readonly chatQueue: number | null; readonly mailsUndelivered: number | null };
  readonly retention: { readonly lastRunAt: string | null; readonly outcome: 'ok' | 'failed' | null };
  readonly incidentsOpen: number | null;
  readonly faults: readonly FaultCode[];
  readonly intakeStopped: boolean;
  readonly maintenance: boolean;
  readonly panel: PanelConnection;
  readonly update?: UpdateHealth;
}

/** The upstream message of a report: fields picked one by one, so nothing else can ride along. */
export function healthMessageOf(report: HealthReport, site: string, session: string): HealthMessage {
  return {
    schema: HEALTH_SCHEMA,
    site,
    session,
    at: report.at,
    firmware: report.firmware,
    node: report.node,
    databaseSchema: report.schemas.database,
    uptimeMinutes: Math.floor(report.uptimeSeconds / 60),
    disk: report.disk ? { freeMiB: Math.floor(report.disk.freeBytes / MIB), totalMiB: Math.floor(report.disk.totalBytes / MIB) } : null,
    queues: { outbox: report.queues.outbox, chatQueue: report.queues.chatQueue, mailsUndelivered: report.queues.mailsUndelivered },
    retention: { lastRunAt: report.retention.lastRunAt, outcome: report.retention.outcome },
    incidentsOpen: report.incidents.open,
    faults: [...report.faults],
    intakeStopped: report.intake === 'stopped',
    maintenance: report.maintenance.active,
    panel: report.panel.connection,
    ...(report.update ? { update: { committed: report.update.committed, trial: report.update.trial } } : {}),
  };
}

/** Builds the zod schema, given the pieces topics.ts shares with the other payloads. */
export function healthMessageSchema(parts: {
  readonly site: z.ZodType<string>;
  readonly session: z.ZodType<string>;
  readonly instant: z.ZodType<string>;
  readonly firmware: z.ZodType<string>;
}): z.ZodType<HealthMessage> {
  const count = z.number().int().nonnegative();
  return z.strictObject({
    schema: z.literal(HEALTH_SCHEMA),
    site: parts.site,
    session: parts.session,
    at: parts.instant,
    firmware: parts.firmware,
    node: z.string().regex(/^v\d{1,3}\.\d{1,3}\.\d{1,3}$/),
    databaseSchema: count.nullable(),
    uptimeMinutes: count,
    disk: z.strictObject({ freeMiB: count, totalMiB: count }).nullable(),
    queues: z.strictObject({ outbox: count.nullable(), chatQueue: count.nullable(), mailsUndelivered: count.nullable() }),
    retention: z.strictObject({ lastRunAt: parts.instant.nullable(), outcome: z.enum(['ok', 'failed']).nullable() }),
    incidentsOpen: count.nullable(),
    faults: z.array(z.enum(FAULT_CODES)).max(FAULT_CODES.length),
    intakeStopped: z.boolean(),
    maintenance: z.boolean(),
    panel: z.enum(['connecting', 'connected', 'lost']),
    update: z.strictObject({ committed: parts.firmware, trial: parts.firmware.nullable() }).optional(),
  }) as unknown as z.ZodType<HealthMessage>;
}
