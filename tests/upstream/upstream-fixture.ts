import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { PrivacyBudgetRepository } from '../../src/store/privacy-budget-repository.js';
import { StatsRepository } from '../../src/store/stats-repository.js';
import type { Clock } from '../../src/time/clock.js';
import { WorkerTableProtector, type TableProtector } from '../../src/upstream/disclosure/table-protector.js';
import { StatsAggregator, type StatsSettings } from '../../src/upstream/stats-aggregator.js';

export const SITE = 'test-site';
export const HOUR = 3_600_000;

export const testSettings: StatsSettings = {
  site: SITE,
  timeZone: 'Europe/Amsterdam',
  periodLength: 'hour',
  threshold: 5,
  categories: { topics: ['bullying', 'home', 'love'], ageBands: ['0-11', '12-15', '16-18'], outcomes: ['advice', 'referred'] },
};

/**
 * One disclosure-control worker for the aggregators of a test file: starting one from the sources
 * (tsx compiles it) takes about half a second. It keeps no process alive while idle.
 */
export const testProtector = new WorkerTableProtector();

/** A database file in a fresh temp dir; `reopen` closes and opens the same file again. */
export class TempStore {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-upstream-'));
  readonly file = path.join(this.dir, 'gateway.db');
  db: GatewayDatabase = GatewayDatabase.open({ path: this.file, logger: silentLogger() });

  reopen(): void {
    this.db.close();
    this.db = GatewayDatabase.open({ path: this.file, logger: silentLogger() });
  }

  get outbox(): OutboxRepository {
    return new OutboxRepository(this.db);
  }

  aggregator(
    clock: Clock,
    session: string,
    settings: Partial<StatsSettings> = {},
    options: { outboxMaxBytes?: number; logger?: Logger; protector?: TableProtector; budget?: boolean } = {},
  ): StatsAggregator {
    return new StatsAggregator({
      database: this.db,
      stats: new StatsRepository(this.db),
      outbox: new OutboxRepository(this.db, { maxBytes: options.outboxMaxBytes }),
      clock,
      logger: options.logger ?? silentLogger(),
      settings: { ...testSettings, ...settings },
      session,
      protector: options.protector ?? testProtector,
      ...(options.budget ? { budget: new PrivacyBudgetRepository(this.db) } : {}),
    });
  }

  /** Written as the contact desk would, minus the contact row (contact_id may be null). */
  register(occurredAt: number, registration: { channel: string; topic: string; ageBand: string; outcome?: string }, times = 1): void {
    for (let i = 0; i < times; i += 1) {
      this.db.run(
        'INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (NULL, ?, ?, ?, ?, ?, ?)',
        [registration.channel, occurredAt, registration.ageBand, registration.topic, registration.outcome ?? 'advice', occurredAt + 60_000],
      );
    }
  }

  cleanup(): void {
    if (this.db.isOpen) this.db.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
