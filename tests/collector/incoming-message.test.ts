import { describe, expect, it } from 'vitest';
import { classifyIncoming, MAX_PAYLOAD_BYTES, MAX_UNKNOWN_KIND_BYTES, type IncomingMessage } from '../../src/collector/index.js';
import { birthPayload, statsPayload, statusPayload } from './collector-harness.js';

const SITE = 'utrecht-1';

function refusal(message: IncomingMessage): Extract<IncomingMessage, { type: 'refused' }>['refusal'] {
  if (message.type !== 'refused') throw new Error(`expected a refusal, got ${message.type}`);
  return message.refusal;
}

describe('classifying what arrives', () => {
  it('accepts what a box sends: stats and incident messages with their seq, status messages', () => {
    const stats = classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from(statsPayload(SITE, 4)));
    expect(stats).toMatchObject({ type: 'sequenced', site: SITE, kind: 'stats', message: { seq: 4, schema: 'helpline.stats/2' } });
    const status = classifyIncoming(`helpline/v1/${SITE}/status`, Buffer.from(statusPayload(SITE, 'offline')), true);
    expect(status).toMatchObject({ type: 'status', site: SITE, retained: true, message: { state: 'offline' } });
  });

  it('hashes the bytes as received and keeps their size', () => {
    const payload = Buffer.from(statsPayload(SITE, 1));
    const message = classifyIncoming(`helpline/v1/${SITE}/stats`, payload);
    expect(message.size).toBe(payload.length);
    expect(message.digest.toString('hex')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a topic outside helpline/v1/<site>/<kind>, or with a level shaped like an identifier, and keeps neither the topic nor the site', () => {
    for (const topic of ['helpline/v2/utrecht-1/stats', 'helpline/v1/Utrecht/stats', 'helpline/v1/utrecht-1/stats/extra', 'helpline/v1/0612345678/stats', 'helpline/v1/utrecht-1/STATS']) {
      const refused = refusal(classifyIncoming(topic, Buffer.from(statsPayload(SITE, 1))));
      expect(refused).toEqual({ reason: 'bad-topic', error: expect.any(String) });
    }
  });

  it('tells garbage, invalid UTF-8 and cut-off JSON apart from a payload that fails its schema', () => {
    expect(refusal(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from([0xc3, 0x28])))).toMatchObject({ reason: 'not-json', site: SITE, kind: 'stats' });
    expect(refusal(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from('{"seq": 3')))).toMatchObject({ reason: 'not-json' });
    const extra = JSON.stringify({ ...JSON.parse(statsPayload(SITE, 3)), note: 'belde om 14:02 vanaf 0612345678' });
    const refused = refusal(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from(extra)));
    expect(refused).toMatchObject({ reason: 'invalid', site: SITE, kind: 'stats', seq: 3 });
    expect(refused.error).toMatch(/unrecognized_keys/);
    expect(refused.error).not.toMatch(/0612345678|14:02|belde/);
  });

  it('refuses a payload that names another site than its topic', () => {
    expect(refusal(classifyIncoming('helpline/v1/gent-2/stats', Buffer.from(statsPayload(SITE, 1))))).toMatchObject({ reason: 'invalid', site: 'gent-2' });
  });

  it('records no seq that is not a plausible one', () => {
    const payload = JSON.stringify({ ...JSON.parse(statsPayload(SITE, 1)), seq: -4 });
    expect(refusal(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.from(payload))).seq).toBeUndefined();
  });

  it('refuses anything above the size limit before parsing it', () => {
    const refused = refusal(classifyIncoming(`helpline/v1/${SITE}/stats`, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20)));
    expect(refused).toMatchObject({ reason: 'too-large' });
  });

  it('takes a birth as a birth, and refuses one that does not match the schema', () => {
    const valid = birthPayload(SITE, 12, [[3, 5]]);
    expect(classifyIncoming(`helpline/v1/${SITE}/birth`, Buffer.from(valid))).toMatchObject({ type: 'birth', site: SITE, message: { outbox: { dropped: { count: 3, seqRanges: [[3, 5]] } } } });
    const forged = JSON.stringify({ ...(JSON.parse(valid) as Record<string, unknown>), lastCaller: '0612345678' });
    expect(refusal(classifyIncoming(`helpline/v1/${SITE}/birth`, Buffer.from(forged))).reason).toBe('invalid');
  });

  it('keeps an unknown kind as sent when it is a small JSON object with nothing shaped like an identifier', () => {
    const diagnostics = { schema: 'helpline.diagnostics/1', site: SITE, restarts: [12, 14] };
    expect(classifyIncoming(`helpline/v1/${SITE}/diagnostics`, Buffer.from(JSON.stringify(diagnostics)))).toMatchObject({ type: 'unknown-kind', site: SITE, kind: 'diagnostics', payload: diagnostics });
  });

  it('checks a health message against its schema and keeps it as sent', () => {
    const health = {
      schema: 'helpline.health/1', site: SITE, session: '3f1c9a52-8d0e-4b7a-9c61-2e5f0b7d4a18', at: '2026-03-02T09:15:00.000Z',
      firmware: '0.2.0', node: 'v20.19.4', databaseSchema: 8, uptimeMinutes: 900, disk: { freeMiB: 20480, totalMiB: 29822 },
      queues: { outbox: 0, chatQueue: 1, mailsUndelivered: 0 }, retention: { lastRunAt: '2026-03-02T09:00:00.000Z', outcome: 'ok' },
      incidentsOpen: 0, faults: [], intakeStopped: false, maintenance: false, panel: 'connected',
    };
    expect(classifyIncoming(`helpline/v1/${SITE}/health`, Buffer.from(JSON.stringify(health)))).toMatchObject({ type: 'unknown-kind', kind: 'health', payload: health });
    expect(refusal(classifyIncoming(`helpline/v1/${SITE}/health`, Buffer.from('{"ok":true}'))).reason).toBe('invalid');
  });

  it('refuses an unknown kind that is not an object, too big, or holds a phone number, e-mail or IP address', () => {
    const unknown = (payload: string): string => refusal(classifyIncoming(`helpline/v1/${SITE}/diagnostics`, Buffer.from(payload))).reason;
    expect(unknown('[1, 2]')).toBe('unknown-kind-refused');
    expect(unknown('"text"')).toBe('unknown-kind-refused');
    expect(unknown(JSON.stringify({ pad: 'x'.repeat(MAX_UNKNOWN_KIND_BYTES) }))).toBe('unknown-kind-refused');
    expect(unknown(JSON.stringify({ last: '06-12345678' }))).toBe('unknown-kind-refused');
    expect(unknown(JSON.stringify({ from: 'iemand@example.nl' }))).toBe('unknown-kind-refused');
    expect(unknown(JSON.stringify({ peer: '192.0.2.10' }))).toBe('unknown-kind-refused');
  });
});
