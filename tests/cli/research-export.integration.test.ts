import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { researchExport } from '../../src/cli/research-export.js';
import { verifyAuditLog } from '../../src/audit/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { categories, deskFixture, presentation } from '../contacts/desk-fixture.js';
import { probeFor, scanBytes, type KnownNumber } from '../support/identifier-scanner.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'helpline-gateway.ts');
const example = JSON.parse(readFileSync(join(ROOT, 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;
const CALLER: KnownNumber = { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 };
const RECIPIENT = 'Universiteit Utrecht, dr. A. de Vries';

/** The command in this process: faster than a child, the same code apart from main's error printing. */
async function exportResearch(from: string, to: string, out: string, recipient = RECIPIENT): Promise<string> {
  const date = (text: string): { year: number; month: number; day: number } => {
    const [year, month, day] = text.split('-').map(Number);
    return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
  };
  const lines: string[] = [];
  expect(await researchExport({ config: configPath, from: date(from), to: date(to), out, recipient }, (line) => lines.push(line))).toBe(0);
  return lines.join('\n');
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let root: string;
let configPath: string;
let dataDir: string;

/** The research export entries of the audit log, as stored. */
function researchEntries(): Array<{ seq: number; details: Record<string, unknown> }> {
  const database = GatewayDatabase.open({ path: join(dataDir, 'gateway.db'), logger: silentLogger() });
  try {
    return database
      .all<{ seq: number; action: string; details: string }>('SELECT seq, action, details FROM audit_log ORDER BY seq')
      .filter((row) => row.action === 'export.written')
      .map((row) => ({ seq: row.seq, details: JSON.parse(row.details) as Record<string, unknown> }));
  } finally {
    database.close();
  }
}

beforeAll(() => {
  // Contacts through the desk, as a line delivers them: three callers, the same number often.
  const f = deskFixture(new Date('2026-03-02T09:00:00Z'));
  let call = 0;
  for (let day = 0; day < 40; day++) {
    for (const dialled of ['06 12 34 56 78', '06 12 34 56 78', '030 234 5678']) {
      const lineCallId = `cli-${++call}`;
      const view = f.desk.offerCall({ lineCallId, caller: presentation(dialled), offeredAt: f.clock.now() });
      f.desk.endCall(lineCallId, f.clock.now() + 60_000);
      const wrapUp = { ageBand: categories.ageBands[call % 2] ?? '12-14', topic: categories.topics[(call >> 1) % 2] ?? 'school', outcome: categories.outcomes[call % 3 === 0 ? 1 : 0] ?? 'conversation' };
      expect(f.desk.wrapUp(view.reference, wrapUp, 'desk-1')).toMatchObject({ ok: true });
    }
    f.clock.advance(86_400_000);
  }
  f.database.close();
  f.keyring.close();
  root = mkdtempSync(join(tmpdir(), 'hgw-research-cli-'));
  dataDir = f.root;
  configPath = join(root, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...example, dataDir, keyringDir: undefined, line: { kind: 'simulated' }, categories, research: { k: 20, l: 2 } }));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('helpline-gateway export research', () => {
  it('writes a k-anonymous CSV (mode 600) without any identifier, says what it generalized and suppressed, and audits it', () => {
    const out = join(root, 'spring.csv');
    const result = cli('export', 'research', '--config', configPath, '--from', '2026-03-01', '--to', '2026-04-30', '--out', out, '--recipient', RECIPIENT);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*spring\.csv: \d+ records from 120 registrations, 2026-03-01 to 2026-04-30$/m);
    expect(result.stdout).toMatch(/^k-anonymity k=20, distinct l-diversity l=2 on topic: \d+ classes, the smallest \d+ records$/m);
    expect(result.stdout).toMatch(/^generalized: period \S+, age band .*, channel .*, outcome .*; [1-9]\d* records written coarser than registered$/m);
    expect(result.stdout).toMatch(/^suppressed: \d+ records \(\d+\.\d%\) in classes below k or l/m);
    expect(result.stdout).not.toMatch(/^note:/m);

    expect(statSync(out).mode & 0o777).toBe(0o600);
    const csv = readFileSync(out);
    const [header, ...rows] = csv.toString('utf8').trimEnd().split('\r\n');
    expect(header).toBe('record_id,period,age_band,channel,outcome,topic');
    expect(scanBytes(out, csv, [probeFor(CALLER)])).toEqual([]);

    const [entry] = researchEntries();
    expect(entry?.details).toMatchObject({ kind: 'research-data-set', from: '2026-03-01', to: '2026-04-30', recipient: RECIPIENT, k: 20, l: 2, recordsIn: 120, recordsOut: rows.length });
    expect(Number(entry?.details.recordsOut) + Number(entry?.details.suppressed)).toBe(120);
    expect(result.stdout).toContain(`audit entry #${entry?.seq}: export.written for "${RECIPIENT}"`);
    const database = GatewayDatabase.open({ path: join(dataDir, 'gateway.db'), logger: silentLogger() });
    try {
      expect(verifyAuditLog(database)).toMatchObject({ ok: true });
    } finally {
      database.close();
    }
  });

  it('gives a second export of the same range fresh record ids, and names the earlier export it overlaps', async () => {
    const out = join(root, 'again.csv');
    const said = await exportResearch('2026-03-15', '2026-04-30', out, 'Universiteit Gent');
    expect(said).toMatch(/^note: 1 earlier research export\(s\) cover part of this range \(#\d+ 2026-03-01 to 2026-04-30 for "Universiteit Utrecht, dr\. A\. de Vries"\)/m);
    const ids = (file: string): string[] => readFileSync(file, 'utf8').trimEnd().split('\r\n').slice(1).map((line) => line.split(',')[0] ?? '');
    const first = new Set(ids(join(root, 'spring.csv')));
    expect(ids(out).filter((id) => first.has(id))).toEqual([]);
  });

  it('refuses to replace an existing file, in one line, writing and auditing nothing', () => {
    const out = join(root, 'taken.csv');
    writeFileSync(out, 'keep me');
    const before = researchEntries().length;
    const result = cli('export', 'research', '--config', configPath, '--from', '2026-03-01', '--to', '2026-04-30', '--out', out, '--recipient', RECIPIENT);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^helpline-gateway: HGW_EXPORT_EXISTS: .*taken\.csv already exists; nothing was written/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(researchEntries()).toHaveLength(before);
  });

  it('says so when the range holds no registration, and writes nothing', async () => {
    const out = join(root, 'empty.csv');
    await expect(exportResearch('2025-01-01', '2025-12-31', out)).rejects.toMatchObject({ code: 'HGW_RESEARCH_NO_RECORDS', message: 'no registrations from 2025-01-01 to 2025-12-31; nothing was written' });
    expect(existsSync(out)).toBe(false);
  });

  it('gives a bad command line one line and exit code 2, before touching anything', () => {
    const out = join(root, 'bad.csv');
    const result = cli('export', 'research', '--config', configPath, '--from', '2026-03-01', '--to', '2026-04-30', '--out', out, '--recipient', 'onderzoek@uu.nl');
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('helpline-gateway: --recipient must not hold an e-mail address, phone number or IP address: name the organisation and the person');
    expect(result.stderr).not.toContain('onderzoek@uu.nl');
    expect(existsSync(out)).toBe(false);
  });
});
