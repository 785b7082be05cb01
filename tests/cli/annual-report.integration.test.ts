import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annualReport } from '../../src/cli/annual-report.js';
import { RegistrationsRepository } from '../../src/store/registrations-repository.js';
import { reportDirectory, type ReportDirectory } from '../report/report-cli-fixture.js';
import { yearOfWeeks } from '../report/stats-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'helpline-gateway.ts');

let box: ReportDirectory;

beforeAll(() => {
  box = reportDirectory();
  mkdirSync(box.dataDir, { recursive: true });
  box.publish(yearOfWeeks(2026));
});

afterAll(() => box?.close());

async function report(out: string, year = 2026): Promise<{ html: string; json: string }> {
  expect(await annualReport({ config: box.configPath, year, out }, () => undefined)).toBe(0);
  return { html: readFileSync(join(out, `annual-report-${year}.html`), 'utf8'), json: readFileSync(join(out, `annual-report-${year}.json`), 'utf8') };
}

describe('helpline-gateway report annual', () => {
  it('writes the HTML and the JSON (mode 600) into a new directory and says what it found', () => {
    const out = join(box.root, 'reports', '2026');
    const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'report', 'annual', '--year', '2026', '--out', out, '--config', box.configPath], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*annual-report-2026\.html and .*annual-report-2026\.json$/m);
    expect(result.stdout).toMatch(/^53 periods \(0 withheld\) from 2025-12-29T00:00:00\+01:00 to 2027-01-04T00:00:00\+01:00; contacts [≥ \d.]+; top theme school [≥ \d.]+$/m);
    for (const name of ['annual-report-2026.html', 'annual-report-2026.json']) expect(statSync(join(out, name)).mode & 0o777).toBe(0o600);
    const html = readFileSync(join(out, 'annual-report-2026.html'), 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/|src=|href=/i);
  });

  it('is made from the published statistics alone: registrations in the database change nothing', async () => {
    const before = await report(join(box.root, 'before'));
    box.withDatabase((database) =>
      database.transaction(() => {
        // Registrations the published periods never counted, with a topic of their own.
        for (let i = 0; i < 500; i++) {
          database.run('INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (NULL, ?, ?, ?, ?, ?, ?)', ['chat', Date.parse('2026-06-10T10:00:00Z') + i, '8-11', 'abuse', 'conversation', Date.parse('2026-06-10T11:00:00Z')]);
        }
        expect(new RegistrationsRepository(database).count()).toBe(500);
      }),
    );
    const after = await report(join(box.root, 'after'));
    expect(after.json).toBe(before.json);
    expect(after.html).toBe(before.html);
    expect(after.html).not.toContain('abuse');
  });

  it('replaces an earlier report of the same year', async () => {
    const out = join(box.root, 'twice');
    const first = await report(out);
    const second = await report(out);
    expect(second).toEqual(first);
  });

  it('says so when nothing was published for the year, and writes nothing', async () => {
    const out = join(box.root, 'none');
    await expect(annualReport({ config: box.configPath, year: 2024, out }, () => undefined)).rejects.toMatchObject({ code: 'HGW_REPORT_NO_STATISTICS', message: 'no statistics were published for 2024; nothing was written' });
    expect(existsSync(out)).toBe(false);
  });
});
