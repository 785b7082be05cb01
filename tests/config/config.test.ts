import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile, validateConfig } from '../../src/config/index.js';
import { isGatewayError } from '../../src/errors.js';
import { thrownBy } from '../support/thrown-by.js';

const example = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'config.example.json'), 'utf8')) as Record<string, unknown>;
const directories: string[] = [];

function writeConfig(content: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'hgw-config-'));
  directories.push(directory);
  const path = join(directory, 'config.json');
  writeFileSync(path, content);
  return path;
}

function errorOf(action: () => unknown): { code: string; message: string } {
  const error = thrownBy(action);
  if (!isGatewayError(error)) throw error;
  return { code: error.code, message: error.message };
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('configuration', () => {
  it('accepts the documented example and applies the preset', () => {
    const config = validateConfig(example);
    expect(config.policy).toMatchObject({ preset: 'allesoke-nl', phoneLinkageMonths: 6, chatTranscriptMonths: 3, suppressionThreshold: 10 });
    expect(config.keyringDir).toBe('/var/lib/helpline-gateway/keyring');
    expect(Object.isFrozen(config.site)).toBe(true);
  });

  it('takes the statistics disclosure settings, with defaults, and refuses a budget below one period', () => {
    expect(validateConfig({ ...example, statistics: undefined }).statistics).toEqual({ contributionCap: 3, protectionWidth: 2 });
    const noisy = validateConfig({ ...example, statistics: { contributionCap: 2, noise: { epsilonPerPeriod: 0.1, yearlyBudget: 5.2 } } });
    expect(noisy.statistics).toEqual({ contributionCap: 2, protectionWidth: 2, noise: { epsilonPerPeriod: 0.1, yearlyBudget: 5.2 } });
    expect(errorOf(() => validateConfig({ ...example, statistics: { noise: { epsilonPerPeriod: 1, yearlyBudget: 0.5 } } })).message).toContain('statistics.noise');
    expect(errorOf(() => validateConfig({ ...example, statistics: { contributionCap: 0 } })).message).toContain('statistics.contributionCap');
  });

  it('takes the lumi-be preset with a per-key override', () => {
    const config = validateConfig({ ...example, policy: { preset: 'lumi-be', overrides: { suppressionThreshold: 15 } } });
    expect(config.policy).toMatchObject({ preset: 'lumi-be', chatTranscriptMonths: 6, suppressionThreshold: 15 });
  });

  it('names the key and what is wrong, in one line, for every problem', () => {
    const broken = { ...example, site: { id: 'Utrecht 1', timeZone: 'Europe/Atlantis', country: 'DE' } };
    const { code, message } = errorOf(() => validateConfig(broken, 'config.json'));
    expect(code).toBe('HGW_CONFIG_INVALID');
    expect(message).not.toContain('\n');
    expect(message).toMatch(/site\.id: lower-case/);
    expect(message).toMatch(/site\.timeZone: not a time zone/);
    expect(message).toMatch(/site\.country/);
  });

  it('refuses an override beyond the statement: linkage longer than 6 months', () => {
    const { message } = errorOf(() => validateConfig({ ...example, policy: { preset: 'allesoke-nl', overrides: { phoneLinkageMonths: 12 } } }));
    expect(message).toMatch(/policy\.overrides\.phoneLinkageMonths/);
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    const { message } = errorOf(() => validateConfig({ ...example, upstreem: {} }));
    expect(message).toMatch(/upstreem/);
  });

  it('refuses a station token shorter than 32 characters', () => {
    const { message } = errorOf(() =>
      validateConfig({ ...example, stations: { desks: [{ id: 'desk-1', token: 'short' }] } }),
    );
    expect(message).toMatch(/stations\.desks\.0\.token: at least 32 characters/);
  });

  it('says which file is not JSON, and where', () => {
    const path = writeConfig('{ "site": ');
    const { code, message } = errorOf(() => loadConfigFile(path));
    expect(code).toBe('HGW_CONFIG_INVALID');
    expect(message).toContain(path);
    expect(message).toMatch(/not valid JSON/);
  });

  it('says a missing file cannot be read', () => {
    expect(errorOf(() => loadConfigFile('/nonexistent/config.json')).code).toBe('HGW_CONFIG_UNREADABLE');
  });

  it('lets --data-dir and --modem override the file', () => {
    const path = writeConfig(JSON.stringify({ ...example, line: { kind: 'simulated' } }));
    const config = loadConfigFile(path, { dataDir: '/tmp/elsewhere', modemDevice: '/dev/ttyACM0' });
    expect(config.dataDir).toBe('/tmp/elsewhere');
    expect(config.line).toMatchObject({ kind: 'modem', device: '/dev/ttyACM0', callerIdCommands: ['AT+VCID=1', 'AT#CID=1'] });
  });
});
