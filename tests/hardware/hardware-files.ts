import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const HARDWARE = join(import.meta.dirname, '..', '..', 'hardware');

export function hardwareFile(name: string): string {
  return readFileSync(join(HARDWARE, name), 'utf8');
}

/** `key=value` lines of one [Section] of a systemd-style file, comments and blanks dropped. */
export function sectionEntries(text: string, section: string): [string, string][] {
  const entries: [string, string][] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1] ?? '';
    else if (current === section && line !== '' && !line.startsWith('#')) {
      const at = line.indexOf('=');
      entries.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return entries;
}

export interface PinRow {
  readonly pin: string;
  readonly signal: string;
}

/** The pin table of pinout.md: its first two columns, for every row whose pin is D<n> or GND. */
export function pinoutRows(): PinRow[] {
  return hardwareFile('pinout.md')
    .split('\n')
    .map((line) => /^\| (D\d+|GND) \| ([a-z-]+) \|/.exec(line))
    .flatMap((match) => (match ? [{ pin: match[1] ?? '', signal: match[2] ?? '' }] : []));
}
