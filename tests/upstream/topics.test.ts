import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { encodeStatusMessage, statsTopic, statusTopic, upstreamTopic, validateOutgoing, type StatsMessage } from '../../src/upstream/topics.js';

const session = randomUUID();

function stats(overrides: Partial<Record<keyof StatsMessage, unknown>> = {}): Record<string, unknown> {
  return {
    schema: 'helpline.stats/1',
    site: 'site-a',
    session,
    seq: 7,
    period: { start: '2025-06-02T10:00:00+02:00', end: '2025-06-02T11:00:00+02:00', length: 'hour' },
    threshold: 5,
    cells: [
      { channel: 'phone', topic: 'home', ageBand: '12-15', count: 0, suppressed: false },
      { channel: 'chat', topic: 'home', ageBand: '12-15', count: null, suppressed: true },
      { channel: 'mail', topic: 'home', ageBand: '12-15', count: 9, suppressed: false },
    ],
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
    const cells = [{ channel: 'phone', topic: 'home', ageBand: '12-15', count: 0, suppressed: false, caller: '+31612345678' }];
    expect(refusal(statsTopic('site-a'), stats({ cells }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses an unsuppressed count below the threshold', () => {
    const cells = [{ channel: 'phone', topic: 'home', ageBand: '12-15', count: 2, suppressed: false }];
    expect(refusal(statsTopic('site-a'), stats({ cells }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses a suppressed cell that still carries its count', () => {
    const cells = [{ channel: 'phone', topic: 'home', ageBand: '12-15', count: 2, suppressed: true }];
    expect(refusal(statsTopic('site-a'), stats({ cells }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses a category that looks like a phone number', () => {
    const cells = [{ channel: 'phone', topic: '0612345678', ageBand: '12-15', count: 0, suppressed: false }];
    expect(refusal(statsTopic('site-a'), stats({ cells }))).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('refuses a payload whose site differs from the topic, non-JSON, and the wrong schema for the topic', () => {
    expect(refusal(statsTopic('site-b'), stats())).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(statsTopic('site-a'), 'not json')).toBe('HGW_UPSTREAM_PAYLOAD');
    expect(refusal(statusTopic('site-a'), stats())).toBe('HGW_UPSTREAM_PAYLOAD');
  });

  it('names the failing path in the error but never the value', () => {
    const cells = [{ channel: 'phone', topic: '+31 6 1234 5678', ageBand: '12-15', count: 0, suppressed: false }];
    try {
      validateOutgoing(statsTopic('site-a'), JSON.stringify(stats({ cells })));
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).toContain('cells.0.topic');
      expect(String((error as Error).message)).not.toMatch(/1234/);
    }
  });

  it('encodes a status message and refuses an unknown state', () => {
    const at = '2025-06-02T08:00:00.000Z';
    expect(JSON.parse(encodeStatusMessage({ schema: 'helpline.status/1', site: 'site-a', session, state: 'online', firmware: '0.1.0', at }))).toMatchObject({ state: 'online' });
    expect(refusal(statusTopic('site-a'), { schema: 'helpline.status/1', site: 'site-a', session, state: 'sleeping', firmware: '0.1.0', at })).toBe('HGW_UPSTREAM_PAYLOAD');
  });
});
