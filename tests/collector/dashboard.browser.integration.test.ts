import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyIncoming, DashboardQueries, DashboardServer, PostgresStore } from '../../src/collector/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/clock.js';
import { launchChromium } from '../support/chromium.js';
import { statsPayload, statusPayload } from './collector-harness.js';
import { PostgresProcess } from './postgres-harness.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const NOW = Date.parse('2025-06-14T10:00:00Z');
const up = () => ({ database: 'up', broker: 'up' }) as const;

describe('the collector dashboard in headless Chromium', () => {
  let postgres: PostgresProcess;
  let pool: pg.Pool;
  let browser: Browser;

  beforeAll(async () => {
    postgres = await PostgresProcess.create();
    pool = new pg.Pool({ connectionString: await postgres.newDatabase(), max: 3 });
    pool.on('error', () => undefined);
    const store = new PostgresStore({ pool });
    await store.migrate();
    const ingest = (topic: string, payload: string): Promise<unknown> => store.ingest(classifyIncoming(topic, Buffer.from(payload)), NOW);
    // Three sites over the last twelve days: busy phone days, some chat and mail, small counts
    // that the box suppressed, one site with a missing seq, one offline.
    const sites = ['utrecht-1', 'gent-2', 'zwolle-3'];
    for (const [s, site] of sites.entries()) {
      await ingest(`helpline/v1/${site}/status`, statusPayload(site, s === 2 ? 'offline' : 'online', '2025-06-14T09:00:00.000Z'));
      for (let day = 0; day < 12; day += 1) {
        const seq = day + 1;
        if (site === 'gent-2' && seq === 7) continue;
        await ingest(`helpline/v1/${site}/stats`, statsPayload(site, seq, {
          hour: day * 24 + 4,
          registrations: [
            ['phone', 'home', 12 + ((day * 7 + s * 3) % 15)],
            ['phone', 'bullying', 9 + ((day + s) % 6)],
            ['chat', 'love', day % 3 === 0 ? 3 : 6 + s],
            ['mail', 'other', 5 + (day % 4)],
          ],
        }));
      }
    }
    await ingest('helpline/v1/utrecht-1/stats', '{not json');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await pool?.end();
    await postgres?.destroy();
  });

  it('shows every site, its state and gaps, and the charts, under its CSP; suppressed counts are marked, not drawn as zero', async () => {
    const server = new DashboardServer({ host: '127.0.0.1', port: 0, queries: new DashboardQueries(pool), health: up, clock: new ManualClock(NOW), timeZone: 'Europe/Amsterdam', logger: silentLogger() });
    const url = await server.start();
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    try {
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      await expect.poll(() => page.locator('#sites tbody tr').count()).toBe(3);
      expect(await page.locator('tr[data-site="zwolle-3"] .state-offline').textContent()).toBe('offline');
      expect(await page.locator('tr[data-site="utrecht-1"] .state-online').textContent()).toBe('online');
      expect(await page.locator('tr[data-site="gent-2"]').textContent()).toContain('1 (1 ontbrekend)');
      // The stylesheet applied: the CSP let it in.
      expect(await page.locator('body').evaluate((body) => body.ownerDocument.defaultView?.getComputedStyle(body).backgroundColor)).toBe('rgb(250, 250, 250)');
      // A phone bar for every day whose published phone counts are not all suppressed, and a hatch
      // for every day with a suppressed count: chat on every third day was 3 per site, so at least those 4.
      const data = await new DashboardQueries(pool).load({ from: NOW - 13 * 86_400_000, timeZone: 'Europe/Amsterdam', topicLimit: 10 });
      const phoneDays = data.perDay.filter((count) => count.channel === 'phone' && count.shown > 0).length;
      const suppressedDays = new Set(data.perDay.filter((count) => count.suppressed > 0).map((count) => count.day)).size;
      expect(phoneDays).toBeGreaterThanOrEqual(8);
      expect(suppressedDays).toBeGreaterThanOrEqual(4);
      expect(await page.locator('#chart-days rect[fill="#1f6f8b"]:has(title)').count()).toBe(phoneDays);
      expect(await page.locator('#chart-days rect.suppressed:has(title)').count()).toBe(suppressedDays);
      expect(await page.locator('#chart-topics text').allTextContents()).toEqual(expect.arrayContaining(['home', 'bullying', 'love', 'other']));
      expect(await page.locator('#chart-topics').textContent()).toMatch(/\+ onderdrukt \(\d+×\)/);
      expect(await page.locator('#quarantine').textContent()).toContain('geen JSON');
      expect(problems).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'collector-dashboard.png'), fullPage: true });
    } finally {
      await page.close();
      await server.stop();
    }
  });

  it('answers 503 with a plain notice, not a stack, when the database cannot be read', async () => {
    const server = new DashboardServer({
      host: '127.0.0.1',
      port: 0,
      queries: { load: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) },
      health: () => ({ database: 'down', broker: 'paused' }),
      clock: new ManualClock(NOW),
      timeZone: 'Europe/Amsterdam',
      logger: silentLogger(),
    });
    const url = await server.start();
    try {
      const page = await fetch(url);
      expect(page.status).toBe(503);
      const text = await page.text();
      expect(text).toContain('de database is niet bereikbaar');
      expect(text).not.toContain('ECONNREFUSED');
      const health = await fetch(new URL('healthz', url));
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ database: 'down', broker: 'paused' });
    } finally {
      await server.stop();
    }
  });
});
