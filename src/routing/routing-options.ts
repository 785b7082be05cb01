import { z } from 'zod';
import { GatewayError } from '../errors.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * How calls are spread over the stations. The config file will carry these keys under one object;
 * the schema is exported so `config-schema.ts` can embed it as is.
 */
export const routingOptionsSchema = z
  .object({
    /** `longest-idle` rings one station at a time; `ring-all` rings every free station at once. */
    strategy: z.enum(['longest-idle', 'ring-all']).default('longest-idle'),
    /** How long one station rings before the contact overflows to the next. */
    ringTimeoutMs: z.number().int().min(SECOND).max(5 * MINUTE).default(20 * SECOND),
    /** From a contact's first ring: nobody answered in this time and the adapter decides what next. */
    maxRingMs: z.number().int().min(SECOND).max(HOUR).default(2 * MINUTE),
    /** Time after a call during which the station gets no new call; the volunteer may end it early. */
    wrapUpMs: z.number().int().min(0).max(HOUR).default(30 * SECOND),
    /** How often a waiting caller hears the "all volunteers are busy" estimate again; 0: only once. */
    announceIntervalMs: z
      .number()
      .int()
      .refine((ms) => ms === 0 || (ms >= 5 * SECOND && ms <= HOUR), '0 (announce once) or 5000 to 3600000')
      .default(MINUTE),
    /** Waiting contacts beyond which a new contact is rejected (the caller hears busy); 0: no queue. */
    maxQueueLength: z.number().int().min(0).max(1000).default(20),
    /** Recent calls the handle-time average (talk + wrap-up) is taken over. */
    handleTimeSamples: z.number().int().min(1).max(1000).default(20),
    /** The handle time assumed before any call has been handled. */
    defaultHandleTimeMs: z.number().int().min(SECOND).max(4 * HOUR).default(10 * MINUTE),
  })
  .strict()
  .refine((options) => options.maxRingMs >= options.ringTimeoutMs, {
    message: 'must be at least ringTimeoutMs',
    path: ['maxRingMs'],
  });

export type RoutingOptionsInput = z.input<typeof routingOptionsSchema>;
export type RoutingOptions = Readonly<z.output<typeof routingOptionsSchema>>;
export type RoutingStrategy = RoutingOptions['strategy'];

/** Validates and fills in the defaults; every problem is named in one HGW_CONFIG_INVALID. */
export function resolveRoutingOptions(input: RoutingOptionsInput = {}): RoutingOptions {
  const result = routingOptionsSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`)
      .join('; ');
    throw new GatewayError('HGW_CONFIG_INVALID', `routing options: ${problems}`);
  }
  return Object.freeze(result.data);
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = resolveRoutingOptions();
