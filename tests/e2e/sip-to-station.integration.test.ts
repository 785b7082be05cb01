import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/index.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { serializeSipMessage } from '../../src/sip/index.js';
import { probeFor, scanBytes, scanDirectory } from '../support/identifier-scanner.js';
import { freeUdpPort } from '../line/sip/b2bua-harness.js';
import { NodePhone, NodeTrunk } from '../line/sip/node-phones.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The gateway as `helpline-gateway run` starts it with `line.kind = sip`: a trunk calls the box as
 * 0612345678, the box rings the desk phone of the one station with the reference and the count,
 * relays the call, and the station API shows the same contact. Nothing of the number reaches the
 * desk phone, the station or the data directory.
 */

const wallClock = { now: () => Date.now() };
const CALLER = probeFor({ name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 });

let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('the whole box on a SIP line', () => {
  it('rings the desk phone with the count and the reference only, counts the caller again on the next call, and keeps no number', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-sip-e2e-'));
    cleanup.push(async () => rmSync(directory, { recursive: true, force: true }));
    const phone = await NodePhone.start();
    const trunk = await NodeTrunk.start();
    cleanup.push(() => phone.stop(), () => trunk.stop());
    const sipPort = await freeUdpPort();
    const firstRtpPort = 20_000 + 2 * randomInt(0, 9_000);
    const token = randomBytes(32).toString('base64url');
    const config = validateConfig(
      {
        site: { id: 'sip-e2e', timeZone: 'Europe/Amsterdam', country: 'NL' },
        dataDir: join(directory, 'data'),
        policy: { preset: 'allesoke-nl' },
        categories: { topics: ['school'], ageBands: ['12-15'], outcomes: ['listened'] },
        line: {
          kind: 'sip',
          listen: { host: '127.0.0.1', port: sipPort },
          advertisedAddress: '127.0.0.1',
          trunkPeers: ['127.0.0.1'],
          rtpPorts: { first: firstRtpPort, last: firstRtpPort + 99 },
          // No wrap-up pause, so the second call rings the same desk at once.
          routing: { wrapUpMs: 0 },
        },
        stations: { host: '127.0.0.1', port: 0, desks: [{ id: 'desk-1', token, deskPhone: phone.uri }] },
        // Nobody listens here: the outbox keeps the statistics, which this test does not look at.
        upstream: { url: 'mqtt://127.0.0.1:9', period: 'day' },
        log: { level: 'debug' },
      },
      'sip e2e config',
    );
    const destination = pino.destination({ dest: join(directory, 'data', 'gateway.log'), sync: true, mkdir: true });
    const gateway: RunningGateway = await startGateway(config, { clock: wallClock, logger: createLogger({ level: 'debug', destination }) });
    cleanup.push(() => gateway.stop());

    const first = await trunk.call(sipPort);
    expect(first.status).toBe(200);
    const invite = phone.invites[0]?.request;
    if (!invite) throw new Error('the desk phone was not rung');
    expect(invite.headers.get('From')).toMatch(/^"Eerste contact" <sip:[A-Za-z0-9-]+@helpline-box\.invalid>;tag=/);
    expect(invite.headers.get('Privacy')).toBe('id');
    const reference = /sip:([A-Za-z0-9-]+)@/.exec(invite.headers.get('From') ?? '')?.[1];

    const contacts = await fetch(`${gateway.stationUrl}/api/v1/contacts`, { headers: { authorization: `Bearer ${token}` } });
    const listed = (await contacts.json()) as { contacts: { reference: string; state: string }[] };
    // The station's card follows the desk phone: answered, so live.
    expect(listed.contacts.filter((contact) => contact.reference === reference).map((contact) => contact.state)).toEqual(['live']);

    expect((await trunk.hangUp()).status).toBe(200);
    await waitFor(() => phone.byes.length === 1, 'the desk leg torn down');
    const after = (await (await fetch(`${gateway.stationUrl}/api/v1/contacts`, { headers: { authorization: `Bearer ${token}` } })).json()) as { contacts: { reference: string; state: string }[] };
    expect(after.contacts.find((contact) => contact.reference === reference)?.state).toBe('ended');

    await trunk.call(sipPort);
    await waitFor(() => phone.invites.length === 2, 'the second call at the desk');
    expect(phone.invites[1]?.request.headers.get('From')).toMatch(/^"Bekende beller, 1 eerder contact" /);
    await trunk.hangUp();
    await waitFor(() => phone.byes.length === 2, 'the second desk leg torn down');

    // The probe finds the number where it is: in what the trunk sent.
    if (!trunk.outgoing) throw new Error('no trunk INVITE');
    expect(scanBytes('trunk INVITE', serializeSipMessage(trunk.outgoing.request), [CALLER]).length).toBeGreaterThan(0);
    for (const [index, received] of phone.invites.entries()) {
      expect(scanBytes(`desk INVITE ${index}`, serializeSipMessage(received.request), [CALLER])).toEqual([]);
    }
    await gateway.stop();
    destination.flushSync();
    const scan = scanDirectory(join(directory, 'data'), [CALLER]);
    expect(scan.files.length).toBeGreaterThan(2);
    expect(scan.sightings).toEqual([]);
  }, 30_000);
});
