import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/arguments.js';
import { thrownBy } from '../support/thrown-by.js';

const good = ['export', 'research', '--config', 'c.json', '--from', '2026-01-01', '--to', '2026-06-30', '--out', 'x.csv', '--recipient', 'Universiteit Utrecht, dr. A. de Vries'];

function without(option: string): string[] {
  const at = good.indexOf(option);
  return [...good.slice(0, at), ...good.slice(at + 2)];
}

function replaced(option: string, value: string): string[] {
  return good.map((item, i) => (good[i - 1] === option ? value : item));
}

function usageMessage(argv: readonly string[]): string {
  const error = thrownBy(() => parseCommandLine(argv));
  expect(error).toBeInstanceOf(UsageError);
  const message = (error as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

describe('the export research command line', () => {
  it('reads the dates, the file and the recipient', () => {
    expect(parseCommandLine(good)).toEqual({
      command: 'export-research',
      config: 'c.json',
      dataDir: undefined,
      from: { year: 2026, month: 1, day: 1 },
      to: { year: 2026, month: 6, day: 30 },
      out: 'x.csv',
      recipient: 'Universiteit Utrecht, dr. A. de Vries',
    });
  });

  it('refuses a missing or impossible date, a reversed range, and a missing file or config in one line each', () => {
    expect(usageMessage(without('--from'))).toBe('--from needs a date written YYYY-MM-DD');
    expect(usageMessage(replaced('--to', '30-06-2026'))).toBe('--to needs a date written YYYY-MM-DD');
    expect(usageMessage(replaced('--from', '2026-02-30'))).toBe('--from: 2026-02-30 is not a date');
    expect(usageMessage(replaced('--from', '2026-07-01'))).toBe('--from must not be after --to');
    expect(usageMessage(without('--out'))).toBe('export research needs --out FILE');
    expect(usageMessage(without('--config'))).toBe('export research needs --config FILE');
    expect(usageMessage(['export', 'everything'])).toMatch(/^unknown export subcommand: everything/);
  });

  it('refuses a recipient that is missing, or that the audit log could not hold: an address or a number', () => {
    expect(usageMessage(without('--recipient'))).toMatch(/^export research needs --recipient/);
    for (const recipient of ['onderzoek@uu.nl', 'dr. De Vries, 06 12 34 56 78', 'x', 'lab at 192.168.1.20', 'two\nlines']) {
      const message = usageMessage(replaced('--recipient', recipient));
      expect(message).toMatch(/^--recipient must/);
      expect(message).not.toContain(recipient);
    }
  });
});

describe('the report annual command line', () => {
  it('reads the year and the directory, the current one when none is given', () => {
    expect(parseCommandLine(['report', 'annual', '--year', '2026', '--config', 'c.json'])).toEqual({ command: 'report-annual', config: 'c.json', dataDir: undefined, year: 2026, out: '.' });
    expect(parseCommandLine(['report', 'annual', '--year', '2026', '--out', 'r', '--config', 'c.json'])).toMatchObject({ out: 'r' });
  });

  it('refuses a year that is not four digits', () => {
    expect(usageMessage(['report', 'annual', '--year', '26', '--config', 'c.json'])).toBe('report annual needs --year YYYY (2000 or later)');
    expect(usageMessage(['report', 'annual', '--config', 'c.json'])).toBe('report annual needs --year YYYY (2000 or later)');
    expect(usageMessage(['report', 'monthly', '--year', '2026'])).toMatch(/^unknown report subcommand: monthly/);
  });
});
