import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { STATS_MARGIN_GROUPS, type StatsMessage } from '../../src/upstream/stats-message.js';
import { encodeStatusMessage, statsTopic, statusTopic, upstreamTopic, validateOutgoing } from '../../src/upstream/topics.js';

const session = randomUUID();

/** A one-topic, one-age-band, one-outcome table: 3 channels × 2 × 2 × 2 cells. */
function stats(overrides: Partial<Record<keyof StatsMessage, unknown>> = {}): Record<string, unknown> {
  const cells = new Array<number | null>(24).fill(0);
  cells[0] = 9;
  return {
    schema: 'helpline.stats/2',
    site: 'site-a',
    session,
    seq: 7,
    period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
    dimensions: { channel: ['phone', 'chat', 'mail'], topic: ['home', 'other'], ageBand: ['12-15', 'other'], outcome: ['advice', 'other'] },
    disclosure: { threshold: 5, contributionCap: 3, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: null },
    withheld: null,
    cells,
    margins: STATS_MARGIN_GROUPS.map((by) => ({ by, counts: new Array<number | null>(by.reduce((size, d) => size * (d === 'channel' ? 3 : 2), 1)).fill(null) })),
    ...overrides,
  };
}

function refusal(topic: string, payload: unknown): string | undefined {
  try {
    validateOutgoing(topic, typeof payload === 'string' ? payload : JSON.stringify(payload));
    return undefined;
  } catch (error) {
    return isGatewayError(error) ? error.code : 'not a GatewayError';
  }
}

describe('upstream topics', () => {
  it('builds helpline/v1/<site>/status|stats|health', () => {
    expect(statusTopic('site-a')).toBe('helpline/v1/site-a/status');
    expect(statsTopic('site-a')).toBe('helpline/v1/site-a/stats');
    expect(upstreamTopic('site-a', 'health')).toBe('helpline/v1/site-a/health');
  });

  it('refuses a site id that is not [a-z0-9-]+', () => {
    for (const site of ['Site', 'a/b', 'a+b', '#', '', 'ä']) {
      expect(() => statsTopic(site), site).toThrow(expect.objectContaining({ code: 'HGW_UPSTREAM_TOPIC' }));
    }
  });

  it('refuses topics with + or # and topics that are not ours', () => {
    expect(refusal('helpline/v1/+/stats', stats())).toBe('HGW_UPSTREAM_TOPIC');
    expect(refusal('helpline/v1/site-a/#', stats())).toBe('HGW_UPSTREAM_TOPIC');
    expect(refusal('helpline/v2/site-a/stats', stats())).toBe('HGW_UPSTREAM_TOPIC');
    expect(refusal('helpline/v1/site-a/contacts', stats())).toBe('HGW_UPSTREAM_TOPIC');
  });
});

describe('validateOutgoing', () => {
  it('accepts a well-formed stats message', () => {
    expect(refusal(statsTopic('site-a'), stats())).toBeUndefined();
  });

  it('refuses a payload with an extra field, however innocent it looks', () => {
    expect(refusal(statsTopic('site-a'), stats({ note: 'x' } as never))).toBe('HGW_UPSTREAM_PAYLOAD');
    const disclosure = { threshold: 5, contributionCap: 3, secondarySuppression: 'interval-audit', protectionWidth: 2, noise: null, caller: '+31612345678' };
    expect(refusal(statsTopic('site-a'), stats({ disclosure }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses an unsuppressed count below the threshold, in a cell or a margin', () => {
    const cells = new Array<number | null>(24).fill(0);
    cells[3] = 2;
    expect(refusal(statsTopic('site-a'), stats({ cells }))).toBe('HGW_UPSTREAM_PAYLOAD');
    const margins = (stats().margins as Array<{ by: string[]; counts: Array<number | null> }>).map((margin, i) => (i === 0 ? { ...margin, counts: [3] } : margin));
    expect(refusal(statsTopic('site-a'), stats({ margins }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses a table whose size does not match its dimensions, or margins out of order', () => {
    expect(refusal(statsTopic('site-a'), stats({ cells: [0, 0, 0] }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(statsTopic('site-a'), stats({ margins: [...(stats().margins as unknown[])].reverse() }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('accepts a withheld period only without counts', () => {
    expect(refusal(statsTopic('site-a'), stats({ withheld: 'privacy-budget-spent', cells: [], margins: [] }))).toBeUndefined();
    expect(refusal(statsTopic('site-a'), stats({ withheld: 'privacy-budget-spent' }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses a category that looks like a phone number', () => {
    const dimensions = { channel: ['phone', 'chat', 'mail'], topic: ['0612345678', 'other'], ageBand: ['12-15', 'other'], outcome: ['advice', 'other'] };
    expect(refusal(statsTopic('site-a'), stats({ dimensions }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses a payload whose site differs from the topic, non-JSON, and the wrong schema for the topic', () => {
    expect(refusal(statsTopic('site-b'), stats())).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(statsTopic('site-a'), 'not json')).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(statusTopic('site-a'), stats())).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('names the failing path in the error but never the value', () => {
    const dimensions = { channel: ['phone', 'chat', 'mail'], topic: ['+31 6 1234 5678', 'other'], ageBand: ['12-15', 'other'], outcome: ['advice', 'other'] };
    try {
      validateOutgoing(statsTopic('site-a'), JSON.stringify(stats({ dimensions })));
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).toContain('dimensions.topic.0');
      expect(String((error as Error).message)).not.toMatch(/1234/);
    }
  });

  it('encodes a status message and refuses an unknown state', () => {
    const at = '2025-06-02T08:00:00.000Z';
    expect(JSON.parse(encodeStatusMessage({ schema: 'helpline.status/1', site: 'site-a', session, state: 'online', firmware: '0.1.0', at }))).toMatchObject({ state: 'online' });
    expect(refusal(statusTopic('site-a'), { schema: 'helpline.status/1', site: 'site-a', session, state: 'sleeping', firmware: '0.1.0', at })).toBe('HGW_UPSTREAM_PAYLOAD');
  });
});

describe('the birth message schema', () => {
  const birth = (outbox: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    schema: 'helpline.birth/1',
    site: 'site-a',
    session,
    firmware: '0.1.0',
    at: '2025-06-02T08:00:00.000Z',
    schemas: { status: 'helpline.status/1', birth: 'helpline.birth/1', stats: 'helpline.stats/2', incident: 'helpline.incident/1' },
    outbox: { waiting: 2, waitingBytes: 900, maxBytes: 1048576, firstWaitingSeq: 9, lastSeq: 10, dropped: { count: 3, seqRanges: [[1, 2], [5, 5]] }, ...outbox },
    ...overrides,
  });
  const topic = upstreamTopic('site-a', 'birth');

  it('accepts a well-formed birth, also with nothing waiting and nothing dropped', () => {
    expect(refusal(topic, birth())).toBeUndefined();
    expect(refusal(topic, birth({ waiting: 0, waitingBytes: 0, firstWaitingSeq: null, lastSeq: 0, dropped: { count: 0, seqRanges: [] } }))).toBeUndefined();
  });

  it('refuses an extra field, a schema id this firmware does not publish, and inconsistent outbox figures', () => {
    expect(refusal(topic, birth({}, { caller: 'x' }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(topic, birth({}, { schemas: { status: 'helpline.status/1', birth: 'helpline.birth/1', stats: 'helpline.stats/1', incident: 'helpline.incident/1' } }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(topic, birth({ dropped: { count: 2, seqRanges: [[5, 5], [1, 2]] } }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(topic, birth({ dropped: { count: 2, seqRanges: [[1, 2], [3, 4]] } }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(topic, birth({ firstWaitingSeq: 11 }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(topic, birth({ dropped: { count: 1, seqRanges: [[11, 11]] } }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(topic, birth({ waiting: 0 }))).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(statsTopic('site-a'), birth())).toBe('HGW_UPSTREAM_PAYLOAD');
  });
});
