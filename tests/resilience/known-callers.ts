import type { KnownNumber } from '../support/identifier-scanner.js';

/**
 * Made-up Dutch numbers for the resilience suites, drawn from a seed so a run can be repeated,
 * each with the ways a caller-ID modem prints it. The identifier scan looks for every rendering.
 */
export interface KnownCaller extends KnownNumber {
  /** The national form, 06 followed by eight digits (or 0 + area code + subscriber). */
  readonly national: string;
}

export function knownCallers(count: number, random: () => number): KnownCaller[] {
  const callers: KnownCaller[] = [];
  const seen = new Set<string>();
  while (callers.length < count) {
    const mobile = callers.length % 3 !== 2;
    // Mobiles 06-2…06-5 (8 digits), landlines 020 / 030 area codes with 7-digit subscribers.
    const digits = mobile
      ? `6${2 + Math.floor(random() * 4)}${String(Math.floor(random() * 1e7)).padStart(7, '0')}`
      : `${random() < 0.5 ? '20' : '30'}${String(2_000_000 + Math.floor(random() * 7_000_000))}`;
    if (seen.has(digits)) continue;
    seen.add(digits);
    callers.push({
      name: `${mobile ? 'mobile' : 'landline'} caller ${callers.length + 1}`,
      e164: `+31${digits}`,
      countryCode: '31',
      areaCodeLength: mobile ? 1 : 2,
      national: `0${digits}`,
    });
  }
  return callers;
}

/** What a modem prints for one call from `caller`: one of the renderings Dutch lines use. */
export function modemLinesFor(caller: KnownCaller, style: number): string[] {
  switch (style % 4) {
    case 0:
      return ['RING', `NMBR = ${caller.national}`, 'RING'];
    case 1:
      return ['RING', 'DATE = 0310', 'TIME = 1000', `NMBR = ${caller.e164}`];
    case 2:
      return [`D${caller.national}C`, 'RING'];
    default:
      return ['RING', `NMBR=00${caller.e164.slice(1)}`, 'RING'];
  }
}
