import { z } from 'zod';
import { MAX_SEQ_RANGES, type SeqRange } from '../store/seq-ranges.js';
import { UPSTREAM_SCHEMA_IDS } from './schema-ids.js';

/**
 * The birth message (`helpline.birth/1`), published on every (re)connect before the outbox is
 * replayed: which firmware and payload schemas this session speaks, and the outbox's state, so
 * the central office can tell a missing seq that the box's byte cap dropped from one that was
 * lost. Counts and sequence numbers only. docs/upstream.md documents every field.
 */
export const BIRTH_SCHEMA = UPSTREAM_SCHEMA_IDS.birth;

export interface BirthOutboxReport {
  /** Messages in the outbox when the birth was made: they follow it, oldest (lowest seq) first. */
  readonly waiting: number;
  readonly waitingBytes: number;
  /** The cap on waitingBytes (upstream.outboxMaxBytes). */
  readonly maxBytes: number;
  /** The seq of the oldest waiting message; null when none waits. */
  readonly firstWaitingSeq: number | null;
  /** The highest seq the box has given out so far; 0 before the first. */
  readonly lastSeq: number;
  /** Dropped by the byte cap since the last birth the broker acknowledged. */
  readonly dropped: { readonly count: number; readonly seqRanges: readonly SeqRange[] };
}

export interface BirthMessage {
  readonly schema: typeof BIRTH_SCHEMA;
  readonly site: string;
  readonly session: string;
  readonly firmware: string;
  /** UTC time the connection was made. */
  readonly at: string;
  readonly schemas: typeof UPSTREAM_SCHEMA_IDS;
  readonly outbox: BirthOutboxReport;
}

/** Builds the zod schema, given the pieces topics.ts shares with the other payloads. */
export function birthMessageSchema(parts: {
  readonly site: z.ZodType<string>;
  readonly session: z.ZodType<string>;
  readonly instant: z.ZodType<string>;
  readonly firmware: z.ZodType<string>;
}): z.ZodType<BirthMessage> {
  const count = z.number().int().nonnegative();
  const seq = z.number().int().positive();
  const schemas = z.strictObject({
    status: z.literal(UPSTREAM_SCHEMA_IDS.status),
    birth: z.literal(UPSTREAM_SCHEMA_IDS.birth),
    stats: z.literal(UPSTREAM_SCHEMA_IDS.stats),
    incident: z.literal(UPSTREAM_SCHEMA_IDS.incident),
    // Optional: a birth made before the box published health has no such key and stays valid.
    health: z.literal(UPSTREAM_SCHEMA_IDS.health).optional(),
  });
  const seqRanges = z
    .array(z.tuple([seq, seq]))
    .max(MAX_SEQ_RANGES)
    .refine((ranges) => ranges.every(([first, last], i) => first <= last && (i === 0 || first > (ranges[i - 1]?.[1] ?? 0) + 1)), 'seq ranges out of order, overlapping, adjacent or with first > last');
  const outbox = z
    .strictObject({
      waiting: count,
      waitingBytes: count,
      maxBytes: seq,
      firstWaitingSeq: seq.nullable(),
      lastSeq: count,
      dropped: z.strictObject({ count, seqRanges }),
    })
    .refine((report) => (report.waiting === 0) === (report.waitingBytes === 0), 'waitingBytes 0 while messages wait, or the other way round')
    .refine(
      (report) => [report.firstWaitingSeq ?? 0, ...report.dropped.seqRanges.map(([, last]) => last)].every((seq) => seq <= report.lastSeq),
      'firstWaitingSeq or a dropped seq above lastSeq',
    );
  return z.strictObject({
    schema: z.literal(BIRTH_SCHEMA),
    site: parts.site,
    session: parts.session,
    firmware: parts.firmware,
    at: parts.instant,
    schemas,
    outbox,
  }) as unknown as z.ZodType<BirthMessage>;
}
