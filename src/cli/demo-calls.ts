import { randomInt } from 'node:crypto';

export interface SyntheticCall {
  readonly number: string | 'P' | 'O';
  readonly rings: number;
  readonly style: 'vcid' | 'vcid-nospace' | 'dtmf';
}

/**
 * Calls for the demo line: numbers from a small pool of made-up Dutch mobile numbers, so the same
 * callers come back and their counts grow, written in the different renderings real lines use
 * (06…, +316…, 00316…), with some withheld and unavailable callers among them.
 */
export function syntheticCalls(count: number, poolSize: number): SyntheticCall[] {
  const pool = Array.from({ length: poolSize }, () => String(10_000_000 + randomInt(89_999_999)));
  const styles: SyntheticCall['style'][] = ['vcid', 'vcid-nospace', 'dtmf'];
  return Array.from({ length: count }, (): SyntheticCall => {
    const roll = randomInt(100);
    const style = styles[randomInt(styles.length)] ?? 'vcid';
    const rings = 2 + randomInt(4);
    if (roll < 6) return { number: 'P', rings, style: 'vcid' };
    if (roll < 9) return { number: 'O', rings, style: 'vcid' };
    // Squaring skews the pick towards the start of the pool: a few callers call often.
    const index = Math.floor((randomInt(1000) / 1000) ** 2 * poolSize);
    const subscriber = pool[index] ?? pool[0] ?? '12345678';
    const prefix = ['06', '+316', '00316'][randomInt(3)] ?? '06';
    return { number: style === 'dtmf' ? `06${subscriber}` : `${prefix}${subscriber}`, rings, style };
  });
}
