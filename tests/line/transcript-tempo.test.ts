import { describe, expect, it } from 'vitest';
import { parseTranscript, transcriptForCalls } from '../../src/line/replay/transcript.js';

describe('transcripts at a demo tempo', () => {
  it('rings at the given interval and waits the given time after each call', () => {
    const calls = [{ number: '0612345678', rings: 3, style: 'vcid' as const }];
    const dutch = parseTranscript(transcriptForCalls(calls));
    const quick = parseTranscript(transcriptForCalls(calls, { ringIntervalMs: 1000, afterCallMs: 2500 }));
    const ringGaps = (steps: ReturnType<typeof parseTranscript>): number[] => steps.filter((step) => step.line === 'RING').slice(1).map((step) => step.delayMs);
    expect(ringGaps(dutch)).toEqual([4500, 5000]);
    expect(ringGaps(quick)).toEqual([500, 1000]);
    expect(quick.at(-1)).toEqual({ delayMs: 2500, line: null });
  });
});
