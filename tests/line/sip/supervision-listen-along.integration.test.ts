import { afterEach, describe, expect, it } from 'vitest';
import { SipSupervision, type SupervisedLine } from '../../../src/line/sip/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { serializeSipMessage } from '../../../src/sip/index.js';
import { StationServer } from '../../../src/stations/index.js';
import { timerScheduler } from '../../../src/time/scheduler.js';
import { CoordinatorClient, DESK_TOKEN } from '../../support/coordinator-fixture.js';
import { fakeCoordinatorBackend } from '../../stations/coordinator-fake-backend.js';
import { FakeStationBackend } from '../../stations/fake-station-backend.js';
import { CALLER_DIGIT_PATTERNS, removeDirectory, startBox, tempDirectory, type Box } from './b2bua-harness.js';
import { NodePhone, NodeTrunk } from './node-phones.js';
import { waitFor } from '../../support/wait-for.js';

let directory: string | undefined;
let box: Box | undefined;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await box?.stop();
  box = undefined;
  if (directory) removeDirectory(directory);
  directory = undefined;
});

describe('listen-along from the supervisor API through the real SIP line', () => {
  it('rings the supervisor\u2019s desk phone after the HTTP call, within the group, audited with the supervisor\u2019s account', async () => {
    directory = tempDirectory();
    const desk = await NodePhone.start();
    const coach = await NodePhone.start();
    const trunk = await NodeTrunk.start();
    closers.push(() => desk.stop(), () => coach.stop(), () => trunk.stop());
    const deskPort = desk.endpoint.localAddress('udp').port;
    box = await startBox(directory, { stations: [{ id: 'desk-1', port: deskPort }] });

    const backend = fakeCoordinatorBackend();
    const line: SupervisedLine = box.line;
    const supervision = new SipSupervision({
      line,
      stations: [
        { id: 'desk-1', displayName: 'Bureau 1', deskPhone: `sip:desk-1@127.0.0.1:${deskPort}`, group: 'day' },
        { id: 'coach', displayName: 'Begeleiding', deskPhone: coach.uri, group: 'day' },
        { id: 'night-1', deskPhone: 'sip:night-1@127.0.0.1:9', group: 'night' },
      ],
      audit: (entry) => backend.audit.append(entry),
      scheduler: timerScheduler,
      logger: silentLogger(),
      answerTimeoutMs: 5000,
    });
    supervision.start();
    closers.push(() => supervision.stop());
    const server = new StationServer({ backend: new FakeStationBackend(), stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger: silentLogger(), coordinator: { ...backend, supervision } });
    const { url } = await server.start();
    closers.push(() => server.stop());

    expect((await trunk.call(box.port)).status).toBe(200);
    await waitFor(() => box?.line.snapshot().byState.connected === 1, 'the desk answered');
    const sam = new CoordinatorClient(url);
    expect((await sam.login('sam')).status).toBe(200);
    const listed = await sam.send<{ calls: { reference: string; stationId: string; state: string }[] }>('GET', '/api/v1/supervision/calls');
    expect(listed.body.calls).toEqual([expect.objectContaining({ stationId: 'desk-1', state: 'connected' })]);
    const reference = listed.body.calls[0]?.reference ?? '';

    const outside = await sam.send('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'night-1' });
    expect(outside).toMatchObject({ status: 403, body: { reason: 'other-group' } });
    expect(coach.invites).toHaveLength(0);

    const started = await sam.send<{ session: { sessionId: string; stationId: string } }>('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'coach', whisper: false });
    expect(started.status).toBe(201);
    expect(started.body.session.stationId).toBe('desk-1');
    expect(coach.invites).toHaveLength(1);
    const inviteRequest = coach.invites[0]?.request;
    if (!inviteRequest) throw new Error('no INVITE at the supervisor\u2019s phone');
    const invite = serializeSipMessage(inviteRequest).toString('latin1');
    expect(invite).toContain(`sip:${reference}@`);
    expect(invite).toMatch(/a=sendonly/);
    for (const pattern of CALLER_DIGIT_PATTERNS) expect(invite).not.toMatch(pattern);
    await waitFor(() => coach.media.received.length >= 5, 'mixed audio at the supervisor\u2019s phone');

    const { sessionId } = started.body.session;
    expect((await sam.send('POST', `/api/v1/supervision/listen-along/${sessionId}/whisper`, { on: true })).status).toBe(200);
    await waitFor(() => coach.invites.length === 2, 'the re-INVITE for whisper');
    expect((await sam.send('DELETE', `/api/v1/supervision/listen-along/${sessionId}`)).status).toBe(204);
    await waitFor(() => coach.byes.length === 1, 'the supervisor\u2019s phone hung up');
    expect(desk.byes).toHaveLength(0);

    expect(backend.audit.appended.map((entry) => [entry.action, entry.actorId, entry.target, entry.details?.desk, entry.details?.station])).toEqual([
      ['listen-along.started', 'account:sam', reference, 'coach', 'desk-1'],
      ['listen-along.stopped', 'account:sam', reference, 'coach', 'desk-1'],
    ]);
    expect(backend.audit.appended[1]?.details).toMatchObject({ whispered: true, reason: 'stopped' });
    expect(JSON.stringify(backend.audit.appended)).not.toMatch(/127\.0\.0\.1|sip:/);
    await trunk.hangUp();
    await waitFor(() => desk.byes.length === 1, 'the desk hung up with the call');
  });
});
