/**
 * The store of a busy site after a week offline: a week of registrations (10 topics, 6 age bands,
 * 5 outcomes, three channels, a daily rhythm), every period of the week closed by the real
 * StatsAggregator with its incident message alongside, all waiting in the outbox. Built once per
 * period length into a template file that each replay run copies.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INCIDENT_KINDS, INCIDENT_SEVERITIES, type IncidentPeriodCounts } from '../../src/incidents/incident-register.js';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { StatsRepository } from '../../src/store/stats-repository.js';
import { ManualClock } from '../../src/time/index.js';
import { IncidentReport } from '../../src/upstream/incident-report.js';
import type { PeriodLength } from '../../src/upstream/period-calendar.js';
import { seededRandom } from './statistics.js';
import { StatsAggregator } from '../../src/upstream/stats-aggregator.js';

export const BENCH_SITE = 'bench-site';
export const BENCH_TIME_ZONE = 'Europe/Amsterdam';
/** Monday 2 June 2025, 00:00 site time: the first period of the week offline. */
export const WEEK_START = Date.parse('2025-06-02T00:00:00+02:00');
const DAY = 86_400_000;

export const BENCH_CATEGORIES = {
  topics: ['bullying', 'home', 'love', 'school', 'friends', 'body', 'sexuality', 'mental-health', 'abuse', 'online'],
  ageBands: ['0-8', '9-11', '12-13', '14-15', '16-17', '18-21'],
  outcomes: ['advice', 'listened', 'referred', 'follow-up', 'ended-early'],
};

export interface OfflineStore {
  readonly file: string;
  readonly periodLength: PeriodLength;
  readonly periods: number;
  readonly registrations: number;
  readonly messages: number;
  readonly payloadBytes: number;
  readonly statsBytes: { readonly min: number; readonly max: number };
  readonly incidentBytes: { readonly min: number; readonly max: number };
}


/** Skewed towards the first entries, as real registrations are. */
function pick<T>(list: readonly T[], next: () => number): T {
  return list[Math.min(list.length - 1, Math.floor(list.length * next() ** 1.7))] as T;
}

/** Contacts per hour of the day at a busy site: quiet at night, peaks after school and in the evening. */
const HOURLY_SHARE = [1, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 3, 4, 5, 6, 6, 6, 7, 9, 10, 10, 9, 9, 10, 9, 6, 3];

export async function buildOfflineStore(options: { readonly directory: string; readonly periodLength: PeriodLength; readonly days: number; readonly contactsPerDay: number }): Promise<OfflineStore> {
  const { directory, periodLength, days, contactsPerDay } = options;
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `offline-${periodLength}-${days}d.db`);
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  const database = GatewayDatabase.open({ path: file, logger: silentLogger() });
  const next = seededRandom(days * 1_000 + contactsPerDay);
  const channels = ['phone', 'phone', 'phone', 'chat', 'chat', 'mail'];
  const shareSum = HOURLY_SHARE.reduce((sum, share) => sum + share, 0);
  let registrations = 0;
  database.transaction(() => {
    for (let day = 0; day < days; day += 1) {
      HOURLY_SHARE.forEach((share, hour) => {
        const count = Math.round((contactsPerDay * share) / shareSum);
        for (let i = 0; i < count; i += 1) {
          const at = WEEK_START + day * DAY + hour * 3_600_000 + Math.floor(next() * 3_600_000);
          database.run(
            'INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (NULL, ?, ?, ?, ?, ?, ?)',
            [pick(channels, next), at, pick(BENCH_CATEGORIES.ageBands, next), pick(BENCH_CATEGORIES.topics, next), pick(BENCH_CATEGORIES.outcomes, next), at + 120_000],
          );
          registrations += 1;
        }
      });
    }
  });
  const clock = new ManualClock(WEEK_START + days * DAY);
  const session = '00000000-0000-4000-8000-000000000001';
  const outbox = new OutboxRepository(database);
  const incidents = { countsForPeriod: (): IncidentPeriodCounts => incidentCounts(next) };
  const aggregator = new StatsAggregator({
    database,
    stats: new StatsRepository(database),
    outbox,
    clock,
    logger: silentLogger(),
    settings: { site: BENCH_SITE, timeZone: BENCH_TIME_ZONE, periodLength, threshold: 5, categories: BENCH_CATEGORIES, firstPeriodFrom: WEEK_START, maxPeriodsPerRun: 100_000 },
    session,
    alongside: [new IncidentReport({ site: BENCH_SITE, session, timeZone: BENCH_TIME_ZONE, periodLength, incidents })],
  });
  const periods = await aggregator.closeDuePeriods();
  await aggregator.stop();
  const sizes = database.all<{ topic: string; bytes: number }>('SELECT topic, octet_length(payload) AS bytes FROM outbox ORDER BY id', []);
  const range = (suffix: string): { min: number; max: number } => {
    const bytes = sizes.filter((row) => row.topic.endsWith(suffix)).map((row) => Number(row.bytes));
    return { min: Math.min(...bytes), max: Math.max(...bytes) };
  };
  const store: OfflineStore = {
    file,
    periodLength,
    periods,
    registrations,
    messages: sizes.length,
    payloadBytes: sizes.reduce((sum, row) => sum + Number(row.bytes), 0),
    statsBytes: range('/stats'),
    incidentBytes: range('/incident'),
  };
  database.close();
  if (statSync(file).size === 0) throw new Error('the offline store was not written');
  return store;
}

function incidentCounts(next: () => number): IncidentPeriodCounts {
  const some = (): number => (next() < 0.05 ? 1 : 0);
  const detectedByKind = Object.fromEntries(INCIDENT_KINDS.map((kind) => [kind, some()])) as Record<(typeof INCIDENT_KINDS)[number], number>;
  const detectedBySeverity = Object.fromEntries(INCIDENT_SEVERITIES.map((severity) => [severity, some()])) as Record<(typeof INCIDENT_SEVERITIES)[number], number>;
  const open = Math.floor(next() * 3);
  return { detectedByKind, detectedBySeverity, open, overdueUnreported: Math.min(open, some()) };
}
