/**
 * Modem transcripts: what a caller-ID modem prints, with the pauses between lines. Used by the
 * replay line (the demo) and by the parser's fixture tests.
 *
 * One entry per line:
 *   `# text`          a comment
 *   `WAIT 1500`       a pause of 1500 ms
 *   `+1500 RING`      a pause of 1500 ms, then the modem line `RING`
 *   `HEX 00ff1b41`    a modem line given as bytes (line noise a text file cannot hold); `+500 HEX …` too
 *   anything else     a modem line, played right after the previous one
 * Blank lines are skipped (modems print them between results; they mean nothing).
 */
export interface TranscriptStep {
  readonly delayMs: number;
  /** null for a trailing pause: the time a looping replay waits before starting again. */
  readonly line: string | null;
}

const WAIT = /^WAIT\s+(\d+)\s*$/i;
const DELAYED_LINE = /^\+(\d+)\s(.*)$/;
const HEX_LINE = /^HEX\s+((?:[0-9a-f]{2}\s*)+)$/i;

export function parseTranscript(transcript: string | readonly string[]): TranscriptStep[] {
  const entries = typeof transcript === 'string' ? transcript.split(/\r?\n/) : transcript;
  const steps: TranscriptStep[] = [];
  let pendingMs = 0;
  for (const entry of entries) {
    if (entry.trim() === '' || entry.startsWith('#')) continue;
    const wait = WAIT.exec(entry);
    if (wait) {
      pendingMs += Number(wait[1]);
      continue;
    }
    const delayed = DELAYED_LINE.exec(entry);
    if (delayed) pendingMs += Number(delayed[1]);
    const text = delayed ? (delayed[2] ?? '') : entry;
    const hex = HEX_LINE.exec(text);
    const line = hex ? Buffer.from((hex[1] ?? '').replace(/\s/g, ''), 'hex').toString('latin1') : text;
    steps.push({ delayMs: pendingMs, line });
    pendingMs = 0;
  }
  if (pendingMs > 0) steps.push({ delayMs: pendingMs, line: null });
  return steps;
}

export type TranscriptCallStyle = 'vcid' | 'vcid-nospace' | 'dtmf';

export interface TranscriptCall {
  /** A (synthetic) phone number, or `P` (withheld) / `O` (unavailable). */
  readonly number: string;
  readonly rings: number;
  readonly style: TranscriptCallStyle;
}

/** A faster cadence for a demo; afterCallMs must exceed the line's ring silence. */
export interface TranscriptTempo {
  readonly ringIntervalMs?: number;
  readonly afterCallMs?: number;
}

/** Dutch cadence: one second of ringing, four of silence. */
const RING_INTERVAL_MS = 5000;
/** After the last ring: longer than the default ring silence, so each call ends before the next. */
const AFTER_CALL_MS = 10_000;

/**
 * A transcript for the given calls, one after the other. VCID styles print caller ID after the
 * first RING (as a US-style modem does); the DTMF style sends it before the first RING (as Dutch
 * exchanges do), with B10/B00 for withheld/unavailable.
 */
export function transcriptForCalls(calls: readonly TranscriptCall[], tempo: TranscriptTempo = {}): string[] {
  const ringIntervalMs = tempo.ringIntervalMs ?? RING_INTERVAL_MS;
  const afterCallMs = tempo.afterCallMs ?? AFTER_CALL_MS;
  const lines: string[] = [];
  for (const call of calls) {
    if (!Number.isInteger(call.rings) || call.rings < 0) throw new TypeError('rings must be a whole number, 0 or more');
    const callerId = call.style === 'dtmf' ? [dtmfFrame(call.number)] : vcidLines(call.number, call.style === 'vcid');
    const rings = Array.from({ length: call.rings }, () => 'RING');
    const ordered = call.style === 'dtmf' ? [...callerId, ...rings] : [...rings.slice(0, 1), ...callerId, ...rings.slice(1)];
    let previous: string | undefined;
    for (const line of ordered) {
      const delayMs = delayBefore(line, previous, call.style, ringIntervalMs);
      lines.push(delayMs > 0 ? `+${delayMs} ${line}` : line);
      previous = line;
    }
    lines.push(`WAIT ${afterCallMs}`);
  }
  return lines;
}

/**
 * Rings keep the cadence; DTMF caller ID comes a second before the first ring; VCID caller ID
 * half a second after the first ring, its lines in one burst.
 */
function delayBefore(line: string, previous: string | undefined, style: TranscriptCallStyle, ringIntervalMs: number): number {
  if (previous === undefined) return 1000;
  if (line !== 'RING') return previous === 'RING' ? 500 : 0;
  if (previous === 'RING') return ringIntervalMs;
  return style === 'dtmf' ? 1000 : Math.max(ringIntervalMs - 500, 100);
}

function vcidLines(number: string, spaced: boolean): string[] {
  const field = (key: string, value: string): string => (spaced ? `${key} = ${value}` : `${key}=${value}`);
  return [field('DATE', '0101'), field('TIME', '1200'), field('NMBR', number)];
}

function dtmfFrame(number: string): string {
  const upper = number.trim().toUpperCase();
  if (upper === 'P') return 'B10C';
  if (upper === 'O') return 'B00C';
  const digits = upper.replace(/^\+/, '00').replace(/[\s\-().]/g, '');
  if (!/^\d+$/.test(digits)) throw new TypeError('a DTMF caller ID can only carry digits');
  return `D${digits}C`;
}
