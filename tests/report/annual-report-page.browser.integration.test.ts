import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annualReport } from '../../src/cli/annual-report.js';
import { figureText, type AnnualReport } from '../../src/report/index.js';
import { launchChromium } from '../support/chromium.js';
import { reportDirectory, type ReportDirectory } from './report-cli-fixture.js';
import { releasedMessage, weeks, withheldMessage, yearOfWeeks } from './stats-fixture.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let browser: Browser;
let box: ReportDirectory;

beforeAll(async () => {
  browser = await launchChromium();
  box = reportDirectory();
  mkdirSync(box.dataDir, { recursive: true });
  // A year of weeks; one August week withheld (budget spent), one noised.
  const messages = yearOfWeeks(2026);
  const [august] = weeks('2026-08-10T00:00:00+02:00', '2026-08-18T00:00:00+02:00');
  const [october] = weeks('2026-10-05T00:00:00+02:00', '2026-10-13T00:00:00+02:00');
  box.publish(
    messages.map((message) => {
      const start = Date.parse(message.period.start);
      if (august && start === august.start) return withheldMessage(message.seq, august);
      if (october && start === october.start) {
        const noise = { mechanism: 'discrete-laplace' as const, epsilon: 0.5, sensitivity: 3, budget: { year: 2026, spent: 0.5, total: 12 } };
        return releasedMessage({ seq: message.seq, period: october, counts: [{ channel: 'phone', topic: 'school', ageBand: '12-14', outcome: 'conversation', count: 40 }], noise });
      }
      return message;
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  box?.close();
});

describe('the annual report in real Chromium', () => {
  it('shows the charts and the top theme\'s number, loads nothing, breaks no policy, and is saved as a screenshot', async () => {
    const out = mkdtempSync(join(box.root, 'out-'));
    const said: string[] = [];
    expect(await annualReport({ config: box.configPath, year: 2026, out }, (line) => said.push(line))).toBe(0);
    expect(said[0]).toMatch(/annual-report-2026\.html and .*annual-report-2026\.json$/);
    const report = JSON.parse(readFileSync(join(out, 'annual-report-2026.json'), 'utf8')) as AnnualReport;
    const top = report.topics[0];
    if (!top) throw new Error('no topics');

    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 }, locale: 'nl-NL' });
    const requests: string[] = [];
    const console: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    const url = pathToFileURL(join(out, 'annual-report-2026.html')).href;
    await page.goto(url);

    expect(requests).toEqual([url]);
    expect(console).toEqual([]);
    // The style element is allowed by its hash: the page's own policy did not block it.
    expect(await page.locator('h2').first().evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).borderTopWidth)).toBe('2px');

    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(4);
    for (let i = 0; i < 4; i++) {
      await expect.poll(() => charts.nth(i).isVisible()).toBe(true);
      expect(await charts.nth(i).getAttribute('role')).toBe('img');
      expect((await charts.nth(i).locator('title').first().textContent())?.length).toBeGreaterThan(5);
      expect((await charts.nth(i).locator('desc').textContent())?.length).toBeGreaterThan(20);
    }
    expect(await page.locator('#themas svg.chart rect.bar').count()).toBe(report.topics.filter((topic) => topic.total.count > 0).length);

    const topRow = page.locator('#themas table tbody tr').first();
    expect(await topRow.locator('th').textContent()).toBe(`1. ${top.name}`);
    expect(await topRow.locator('td').textContent()).toBe(figureText(top.total));
    expect(await page.locator('#themas svg.chart text.value').first().textContent()).toBe(figureText(top.total));
    expect(await page.locator('#totaal .total').textContent()).toBe(figureText(report.total));
    expect(figureText(report.total)).toMatch(/^≥ \d{1,3}(\.\d{3})*$/);

    const august = page.locator('#maanden table').first().locator('tbody tr').nth(7);
    expect(await august.textContent()).toContain('1 achtergehouden');
    const source = await page.locator('#bron').textContent();
    expect(source).toContain('privacybudget');
    expect(source).toContain('Ruis');
    expect(source).toContain('donderdag');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'annual-report-2026.png'), fullPage: true });
    await page.close();
    rmSync(out, { recursive: true, force: true });
  });
});
