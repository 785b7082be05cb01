import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Looks for phone numbers in raw bytes: every common rendering, in UTF-8 and UTF-16LE, the hex and
 * base64 of the number's text, and a pattern that finds the last eight digits with any separator
 * (or NUL byte) between them. Nothing here decodes a file first: the scan is over the bytes as
 * they lie on disk or came off the wire.
 */

export interface KnownNumber {
  /** What the test calls it, e.g. "Dutch mobile"; used in reports instead of the number. */
  readonly name: string;
  readonly e164: string;
  readonly countryCode: string;
  /** Digits of the area code (or mobile prefix) after the country code: 1 for Dutch 6, 2 for 30, 3 for Belgian 471. */
  readonly areaCodeLength: number;
}

export interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
}

export interface NumberProbe {
  readonly name: string;
  readonly needles: readonly Needle[];
  /**
   * Over the latin1 view of the bytes: the last eight digits with up to seven non-alphanumeric bytes
   * between them (three separators in UTF-16LE, each digit followed by its NUL).
   */
  readonly spreadDigits: RegExp;
}

export interface Sighting {
  readonly source: string;
  readonly number: string;
  readonly rendering: string;
  readonly offset: number;
}

/** The national significant number: E.164 without "+" and country code. */
function nationalSignificant(number: KnownNumber): string {
  if (!number.e164.startsWith(`+${number.countryCode}`)) throw new TypeError(`${number.name}: E.164 text does not start with +${number.countryCode}`);
  return number.e164.slice(1 + number.countryCode.length);
}

function groups(text: string, sizes: readonly number[]): string[] {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= text.length) break;
    parts.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/** The texts people, modems and exchanges write for the number. */
export function textRenderings(number: KnownNumber): string[] {
  const nsn = nationalSignificant(number);
  const national = `0${nsn}`;
  const cc = number.countryCode;
  const area = nsn.slice(0, number.areaCodeLength);
  const subscriber = nsn.slice(number.areaCodeLength);
  const renderings = [
    number.e164,
    `${cc}${nsn}`,
    national,
    nsn,
    `00${cc}${nsn}`,
    nsn.slice(-8),
    // A bare run of six or seven digits also turns up in the logger's wall-clock timestamps.
    ...(subscriber.length >= 8 ? [subscriber] : []),
    `0${area}-${subscriber}`,
    `0${area} ${subscriber}`,
    `(0${area}) ${subscriber}`,
    `0${area} ${groups(subscriber, [2, 2, 2, 2]).join(' ')}`,
    `0${area} ${groups(subscriber, [4, 4]).join(' ')}`,
    `0${area} ${groups(subscriber, [3, 2, 2]).join(' ')}`,
    groups(national, [2, 2, 2, 2, 2, 2]).join(' '),
    `+${cc} ${area} ${subscriber}`,
    `+${cc} ${area} ${groups(subscriber, [4, 4]).join(' ')}`,
    `+${cc} (0)${area} ${subscriber}`,
    `+${cc}-${area}-${subscriber}`,
    `00${cc} ${area} ${subscriber}`,
  ];
  return [...new Set(renderings)];
}

/**
 * The base64 characters that encode `text` whatever its offset inside a longer encoded value:
 * for each of the three alignments, the characters that depend on the text's bytes only.
 */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, 'ascii');
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const start = shift === 0 ? 0 : shift === 1 ? 2 : 3;
    const end = Math.floor((shift + bytes.length) / 3) * 4;
    return encoded.slice(start, end);
  });
}

export function probeFor(number: KnownNumber): NumberProbe {
  const needles = new Map<string, Needle>();
  const add = (label: string, bytes: Buffer): void => {
    const key = bytes.toString('hex');
    if (!needles.has(key)) needles.set(key, { label, bytes });
  };
  for (const [index, text] of textRenderings(number).entries()) {
    add(`rendering ${index} as UTF-8`, Buffer.from(text, 'utf8'));
    add(`rendering ${index} as UTF-16LE`, Buffer.from(text, 'utf16le'));
  }
  const nsn = nationalSignificant(number);
  for (const [label, text] of [['E.164', number.e164], ['national digits', `0${nsn}`]] as const) {
    const hex = Buffer.from(text, 'ascii').toString('hex');
    add(`${label} as lower-case hex`, Buffer.from(hex, 'ascii'));
    add(`${label} as upper-case hex`, Buffer.from(hex.toUpperCase(), 'ascii'));
    for (const [shift, core] of base64Cores(text).entries()) {
      add(`${label} as base64 (shift ${shift})`, Buffer.from(core, 'ascii'));
      add(`${label} as base64url (shift ${shift})`, Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_'), 'ascii'));
    }
  }
  const lastEight = [...nsn.slice(-8)].join('[^0-9A-Za-z]{0,7}');
  return { name: number.name, needles: [...needles.values()], spreadDigits: new RegExp(lastEight, 'g') };
}

/** Every sighting of any probe in `bytes`. */
export function scanBytes(source: string, bytes: Buffer, probes: readonly NumberProbe[]): Sighting[] {
  const sightings: Sighting[] = [];
  const latin1 = bytes.toString('latin1');
  for (const probe of probes) {
    for (const needle of probe.needles) {
      const offset = bytes.indexOf(needle.bytes);
      if (offset !== -1) sightings.push({ source, number: probe.name, rendering: needle.label, offset });
    }
    for (const match of latin1.matchAll(probe.spreadDigits)) {
      sightings.push({ source, number: probe.name, rendering: 'last eight digits with separators', offset: match.index });
    }
  }
  return sightings;
}

/** Every regular file under `directory`, recursively, as paths relative to it. */
export function filesUnder(directory: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(directory, path));
    }
  };
  walk(directory);
  return found.sort();
}

export interface DirectoryScan {
  readonly files: readonly string[];
  readonly bytesScanned: number;
  readonly sightings: readonly Sighting[];
}

/** Scans the raw bytes of every file under `directory`. */
export function scanDirectory(directory: string, probes: readonly NumberProbe[]): DirectoryScan {
  const files = filesUnder(directory);
  let bytesScanned = 0;
  const sightings: Sighting[] = [];
  for (const file of files) {
    const bytes = readFileSync(join(directory, file));
    bytesScanned += bytes.length;
    sightings.push(...scanBytes(file, bytes, probes));
  }
  return { files, bytesScanned, sightings };
}
