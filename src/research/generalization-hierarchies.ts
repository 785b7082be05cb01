import type { QuasiIdentifier } from './research-types.js';

/** What a fully generalized value is written as. */
export const ANY = '*';

/**
 * One quasi-identifier's generalization hierarchy: level 0 is the value as registered, each next
 * level coarser, the last the most general. Full-domain: one level applies to every record.
 */
export interface Hierarchy {
  readonly attribute: QuasiIdentifier;
  /** One name per level, for the command's output and the audit entry. */
  readonly levels: readonly string[];
  /** The value at `level`; throws for a value outside the hierarchy's domain. */
  generalize(value: string, level: number): string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Local month `YYYY-MM` → quarter `YYYY-Q2` → half-year `YYYY-H1` → year `YYYY`. */
export function periodHierarchy(): Hierarchy {
  return {
    attribute: 'period',
    levels: ['month', 'quarter', 'half-year', 'year'],
    generalize(value, level) {
      const match = MONTH.exec(value);
      if (!match) throw new RangeError('period is not a YYYY-MM month');
      const year = match[1] ?? '';
      const month = Number(match[2]);
      switch (level) {
        case 0:
          return value;
        case 1:
          return `${year}-Q${Math.ceil(month / 3)}`;
        case 2:
          return `${year}-H${month <= 6 ? 1 : 2}`;
        case 3:
          return year;
        default:
          throw new RangeError(`no period level ${level}`);
      }
    },
  };
}

interface AgeRange {
  readonly band: string;
  readonly low: number;
  readonly high: number;
}

/** `12-14` and `18+` are ranges of years; anything else (`unknown`, `other`) is not. */
function ageRangeOf(band: string): AgeRange | undefined {
  const closed = /^(\d{1,3})-(\d{1,3})$/.exec(band);
  if (closed) return { band, low: Number(closed[1]), high: Number(closed[2]) };
  const open = /^(\d{1,3})\+$/.exec(band);
  if (open) return { band, low: Number(open[1]), high: Number.POSITIVE_INFINITY };
  return undefined;
}

function rangeLabel(ranges: readonly AgeRange[]): string {
  const low = Math.min(...ranges.map((range) => range.low));
  const high = Math.max(...ranges.map((range) => range.high));
  return high === Number.POSITIVE_INFINITY ? `${low}+` : `${low}-${high}`;
}

/**
 * Age bands merged by adjacent merging: the bands that are ranges of years, youngest first, are
 * joined in pairs at level 1 (`8-11` + `12-14` → `8-14`), in fours at level 2, and so on while more
 * than one group is left; a band that is not a range (`unknown`, `other`) stays itself. The last
 * level is `*` for every band.
 */
export function ageBandHierarchy(bands: readonly string[]): Hierarchy {
  const ranges = bands
    .map(ageRangeOf)
    .filter((range): range is AgeRange => range !== undefined)
    .sort((a, b) => a.low - b.low || a.high - b.high);
  const merged: Array<ReadonlyMap<string, string>> = [];
  for (let size = 2; size < ranges.length; size *= 2) {
    const labels = new Map<string, string>();
    for (let start = 0; start < ranges.length; start += size) {
      const group = ranges.slice(start, start + size);
      for (const range of group) labels.set(range.band, rangeLabel(group));
    }
    merged.push(labels);
  }
  const domain = new Set(bands);
  const top = merged.length + 1;
  return {
    attribute: 'ageBand',
    levels: ['as registered', ...merged.map((_, i) => `merged in ${2 ** (i + 1)}s`), 'any'],
    generalize(value, level) {
      if (!domain.has(value)) throw new RangeError('age band outside the configured list');
      if (level === 0) return value;
      if (level === top) return ANY;
      const labels = merged[level - 1];
      if (!labels) throw new RangeError(`no age band level ${level}`);
      return labels.get(value) ?? value;
    },
  };
}

/** A value kept as registered (level 0) or hidden (level 1, `*`): channel, outcome. */
export function keepOrHideHierarchy(attribute: QuasiIdentifier, values: readonly string[]): Hierarchy {
  const domain = new Set(values);
  return {
    attribute,
    levels: ['as registered', 'any'],
    generalize(value, level) {
      if (!domain.has(value)) throw new RangeError(`${attribute} outside the configured list`);
      if (level === 0) return value;
      if (level === 1) return ANY;
      throw new RangeError(`no ${attribute} level ${level}`);
    },
  };
}
