import { describe, expect, it } from 'vitest';
import type { NewAuditEntry } from '../../../src/audit/index.js';
import type { ContactReference } from '../../../src/contacts/contact-view.js';
import { SipSupervision, type SupervisedStation } from '../../../src/line/sip/index.js';
import { silentLogger } from '../../../src/log/index.js';
import type { SupervisionBackend } from '../../../src/stations/index.js';
import { ManualScheduler } from '../../../src/time/scheduler.js';
import { FakeSupervisedLine } from './fake-supervised-line.js';

const STATIONS: readonly SupervisedStation[] = [
  { id: 'desk-1', displayName: 'Bureau 1', deskPhone: 'sip:desk-1@10.0.0.21:5060', group: 'dag' },
  { id: 'desk-2', displayName: 'Bureau 2', deskPhone: 'sip:desk-2@10.0.0.22:5060', group: 'dag' },
  { id: 'coach', displayName: 'Begeleiding', deskPhone: 'sip:coach@10.0.0.30:5060', group: 'dag' },
  { id: 'night-1', deskPhone: 'sip:night-1@10.0.0.41:5060', group: 'nacht' },
  { id: 'screen-only', displayName: 'Alleen scherm', group: 'dag' },
];
const SAM = { accountId: 'sam', role: 'supervisor' } as const;
const SARA = { accountId: 'sara', role: 'supervisor' } as const;

function setUp(options: { answerTimeoutMs?: number } = {}) {
  const line = new FakeSupervisedLine();
  const scheduler = new ManualScheduler(line.now);
  const audit: NewAuditEntry[] = [];
  const supervision = new SipSupervision({ line, stations: STATIONS, audit: (entry) => audit.push(entry), scheduler, logger: silentLogger(), ...options });
  supervision.start();
  return { line, scheduler, audit, supervision };
}

/** Lets the promise callbacks of a resolved listen-along run. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SipSupervision: live calls and desks', () => {
  it('lists calls by station (connected and ringing) with name and group, and nothing about the caller', () => {
    const { line, supervision } = setUp();
    line.addCall('K7Q-3F9', 'desk-2');
    line.addCall('M4X-8RT', null, { state: 'ringing', ringing: ['desk-1', 'night-1'] });
    line.addCall('Q2W-9ZZ', null, { state: 'queued' });
    const calls = supervision.liveCalls();
    expect(calls.map((call) => [call.stationName, call.state, call.reference, call.group])).toEqual([
      ['Bureau 1', 'ringing', 'M4X-8RT', 'dag'],
      ['Bureau 2', 'connected', 'K7Q-3F9', 'dag'],
      ['night-1', 'ringing', 'M4X-8RT', 'nacht'],
    ]);
    expect(Object.keys(calls[0] ?? {}).sort()).toEqual(['group', 'listeners', 'reference', 'since', 'state', 'stationId', 'stationName']);
  });

  it('offers only stations with a desk phone as desks, without the phone\u2019s address', () => {
    const { supervision } = setUp();
    expect(supervision.desks()).toEqual([
      { stationId: 'coach', stationName: 'Begeleiding', group: 'dag' },
      { stationId: 'desk-1', stationName: 'Bureau 1', group: 'dag' },
      { stationId: 'desk-2', stationName: 'Bureau 2', group: 'dag' },
      { stationId: 'night-1', stationName: 'night-1', group: 'nacht' },
    ]);
    expect(JSON.stringify(supervision.desks())).not.toMatch(/sip:|10\.0\.0/);
  });

  it('implements the SupervisionBackend the routes use', () => {
    const backend: SupervisionBackend = setUp().supervision;
    expect(typeof backend.startListenAlong).toBe('function');
  });
});

describe('SipSupervision: listen-along', () => {
  it('rings the chosen desk phone, answers once it picked up, and audits start and stop with the supervisor\u2019s account', async () => {
    const { line, audit, supervision } = setUp();
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    expect(line.requests.map((request) => [request.spec.reference, request.spec.supervisorTarget, request.spec.whisper])).toEqual([['K7Q-3F9', 'sip:coach@10.0.0.30:5060', false]]);
    const session = line.requests[0]?.answer();
    const started = await pending;
    expect(started).toEqual({
      ok: true,
      value: { sessionId: session?.id, reference, stationId: 'desk-1', stationName: 'Bureau 1', fromStationId: 'coach', accountId: 'sam', whisper: false, startedAt: line.now },
    });
    expect(supervision.sessions()).toHaveLength(1);

    const whispering = supervision.setWhisper(SAM, session?.id ?? '', true);
    expect(whispering.ok && whispering.value.whisper).toBe(true);
    expect(session?.whispers).toEqual([true]);
    expect((await supervision.stopListenAlong(SAM, session?.id ?? '')).ok).toBe(true);
    expect(session?.stopped).toBe(true);
    expect(supervision.sessions()).toEqual([]);
    expect(audit).toEqual([
      { actorRole: 'supervisor', actorId: 'account:sam', action: 'listen-along.started', target: 'K7Q-3F9', details: { session: session?.id, station: 'desk-1', desk: 'coach', whisper: false } },
      {
        actorRole: 'supervisor',
        actorId: 'account:sam',
        action: 'listen-along.stopped',
        target: 'K7Q-3F9',
        details: { session: session?.id, station: 'desk-1', desk: 'coach', whisper: true, whispered: true, reason: 'stopped' },
      },
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/sip:|10\.0\.0/);
  });

  it('refuses a call at a station outside the chosen desk\u2019s group, without ringing anything', async () => {
    const { line, audit, supervision } = setUp();
    const reference = line.addCall('N8P-2KD', 'night-1');
    expect(await supervision.startListenAlong(SAM, reference, 'coach', false)).toMatchObject({ ok: false, refusal: 'other-group' });
    const dayCall = line.addCall('K7Q-3F9', 'desk-1');
    expect(await supervision.startListenAlong(SAM, dayCall, 'night-1', false)).toMatchObject({ ok: false, refusal: 'other-group' });
    expect(line.requests).toEqual([]);
    expect(audit).toEqual([]);
  });

  it('refuses roles without the listen-along capability, unknown desks and calls, desks without a phone, and calls not yet answered', async () => {
    const { line, supervision } = setUp();
    const connected = line.addCall('K7Q-3F9', 'desk-1');
    const ringing = line.addCall('M4X-8RT', null, { state: 'ringing', ringing: ['desk-2'] });
    const refusals = [
      await supervision.startListenAlong({ accountId: 'anna', role: 'coordinator' }, connected, 'coach', false),
      await supervision.startListenAlong({ accountId: 'vera', role: 'volunteer' }, connected, 'coach', false),
      await supervision.startListenAlong(SAM, connected, 'desk-9', false),
      await supervision.startListenAlong(SAM, connected, 'screen-only', false),
      await supervision.startListenAlong(SAM, 'ZZZ-ZZZ' as ContactReference, 'coach', false),
      await supervision.startListenAlong(SAM, ringing, 'coach', false),
    ];
    expect(refusals.map((result) => (result.ok ? 'ok' : result.refusal))).toEqual(['forbidden', 'forbidden', 'unknown-desk', 'no-desk-phone', 'unknown-call', 'not-connected']);
    expect(line.requests).toEqual([]);
  });

  it('refuses a desk whose phone is in a call, ringing for a call, or already listening along', async () => {
    const { line, supervision } = setUp();
    const first = line.addCall('K7Q-3F9', 'desk-1');
    line.addCall('M4X-8RT', null, { state: 'ringing', ringing: ['desk-2'] });
    expect(await supervision.startListenAlong(SAM, first, 'desk-2', false)).toMatchObject({ ok: false, refusal: 'desk-busy' });
    const pending = supervision.startListenAlong(SAM, first, 'coach', false);
    expect(await supervision.startListenAlong(SARA, first, 'coach', false)).toMatchObject({ ok: false, refusal: 'desk-busy' });
    line.requests[0]?.answer();
    await pending;
    expect(await supervision.startListenAlong(SARA, first, 'coach', false)).toMatchObject({ ok: false, refusal: 'desk-busy' });
    expect(line.requests).toHaveLength(1);
  });

  it('lets only the supervisor who started a listen-along switch whisper or stop it', async () => {
    const { line, supervision } = setUp();
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    const session = line.requests[0]?.answer();
    await pending;
    const id = session?.id ?? '';
    expect(supervision.setWhisper(SARA, id, true)).toMatchObject({ ok: false, refusal: 'not-yours' });
    expect(await supervision.stopListenAlong(SARA, id)).toMatchObject({ ok: false, refusal: 'not-yours' });
    expect(supervision.setWhisper({ accountId: 'anna', role: 'coordinator' }, id, true)).toMatchObject({ ok: false, refusal: 'forbidden' });
    expect(supervision.setWhisper(SAM, 'nope', true)).toMatchObject({ ok: false, refusal: 'unknown-session' });
    expect(session?.whispers).toEqual([]);
    expect(session?.stopped).toBe(false);
  });

  it('reports a phone that refused, audits nothing, and frees the desk', async () => {
    const { line, audit, supervision } = setUp();
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    line.requests[0]?.refuse('busy');
    expect(await pending).toMatchObject({ ok: false, refusal: 'phone-unanswered' });
    expect(audit).toEqual([]);
    const again = supervision.startListenAlong(SAM, reference, 'coach', true);
    expect(line.requests).toHaveLength(2);
    line.requests[1]?.answer();
    expect((await again).ok).toBe(true);
  });

  it('gives up waiting after the answer timeout, and hangs up a phone that answers later (audited with the account)', async () => {
    const { line, scheduler, audit, supervision } = setUp({ answerTimeoutMs: 20_000 });
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    scheduler.advance(19_999);
    await settled();
    expect(line.requests[0]?.session).toBeUndefined();
    scheduler.advance(1);
    expect(await pending).toMatchObject({ ok: false, refusal: 'phone-unanswered' });
    const late = line.requests[0]?.answer();
    await settled();
    expect(late?.stopped).toBe(true);
    expect(audit.map((entry) => [entry.action, entry.actorId])).toEqual([
      ['listen-along.started', 'account:sam'],
      ['listen-along.stopped', 'account:sam'],
    ]);
    expect(supervision.sessions()).toEqual([]);
  });

  it('answers at once when the call ends while the phone still rings', async () => {
    const { line, scheduler, audit, supervision } = setUp();
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    line.requests[0]?.endWhileRinging();
    expect(await pending).toMatchObject({ ok: false, refusal: 'phone-unanswered' });
    expect(scheduler.pending).toBe(0);
    expect(audit).toEqual([]);
  });

  it('audits a supervisor hanging up with their account, and forgets the session', async () => {
    const { line, audit, supervision } = setUp();
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    const session = line.requests[0]?.answer();
    await pending;
    session?.end('supervisor-hung-up');
    expect(supervision.sessions()).toEqual([]);
    expect(audit[1]).toMatchObject({ action: 'listen-along.stopped', actorId: 'account:sam', target: 'K7Q-3F9', details: { reason: 'supervisor-hung-up', whispered: false } });
  });

  it('still audits a listen-along it did not start, as the box', () => {
    const { line, audit } = setUp();
    line.emit({ kind: 'started', sessionId: 'abc', reference: 'K7Q-3F9' as ContactReference, stationId: 'desk-1', supervisorTarget: 'sip:x@10.0.0.9', whisper: false, at: 1 });
    expect(audit).toEqual([{ actorRole: 'system', actorId: 'listen-along', action: 'listen-along.started', target: 'K7Q-3F9', details: { session: 'abc', station: 'desk-1', whisper: false } }]);
  });

  it('keeps listen-along going when the audit hook throws, and stops listening to the line on stop()', async () => {
    const line = new FakeSupervisedLine();
    const supervision = new SipSupervision({ line, stations: STATIONS, audit: () => { throw new Error('disk full'); }, scheduler: new ManualScheduler(0), logger: silentLogger() });
    const reference = line.addCall('K7Q-3F9', 'desk-1');
    await expect(supervision.startListenAlong(SAM, reference, 'coach', false)).rejects.toThrow(/start\(\)/);
    supervision.start();
    const pending = supervision.startListenAlong(SAM, reference, 'coach', false);
    const session = line.requests[0]?.answer();
    expect((await pending).ok).toBe(true);
    await supervision.stop();
    expect(session?.stopped).toBe(true);
    expect(line.listenerCount).toBe(0);
  });
});
