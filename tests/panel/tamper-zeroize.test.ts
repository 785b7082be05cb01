import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { FaultRegister } from '../../src/health/index.js';
import { IncidentRegister } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakePanel, ledModesFor, TamperResponse, type BoxState } from '../../src/panel/index.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { ManualClock } from '../../src/time/clock.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { thrownBy } from '../support/thrown-by.js';
import { coordinator, requestsFixture, valueOf, type RequestsFixture } from '../rights/requests-fixture.js';

const START = new Date('2026-03-02T09:00:00Z');
let fixture: RequestsFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function tamperBox(zeroize: boolean) {
  const faults = new FaultRegister({ clock: new ManualClock(START), logger: silentLogger() });
  const f = (fixture = requestsFixture(START, 'Europe/Amsterdam', { intake: faults }));
  const scheduler = new ManualScheduler(f.clock);
  const incidents = new IncidentRegister({ incidents: new IncidentsRepository(f.database), clock: f.clock, logger: silentLogger(), audit: f.audit });
  const panel = new FakePanel({ scheduler });
  new TamperResponse({ panel, incidents, audit: f.audit, keyring: f.keyring, zeroize, faults, logger: silentLogger() }).start();
  const keyringDirectory = join(f.root, 'keyring');
  const state = (): BoxState => ({
    lifecycle: 'running',
    maintenance: false,
    line: 'idle',
    upstream: { connected: true, waiting: 0 },
    intakeStopped: !faults.accepting(),
    openSecurityIncidents: incidents.open().filter((incident) => incident.kind === 'tamper').length,
  });
  return { f, faults, incidents, panel, scheduler, keyringDirectory, state };
}

/** An access request for the number, registered and with the identity checked: ready to export. */
function accessRequestFor(f: RequestsFixture, number: string): string {
  const request = valueOf(f.rights.register(coordinator, { kind: 'access', channel: 'phone', supplied: number }));
  valueOf(f.rights.confirmIdentity(coordinator, request.reference));
  return request.reference;
}

function actions(f: RequestsFixture): string[] {
  return f.auditTrail().map((entry) => entry.action);
}

describe('the tamper switch with panel.tamper.zeroize on', () => {
  it('destroys the key-encryption key when the lid comes off: the running box refuses to unseal, stops intake, and a restart cannot open the keyring', async () => {
    const { f, faults, incidents, panel, scheduler, keyringDirectory, state } = tamperBox(true);
    await panel.start();
    f.call('0612345678');
    const request = accessRequestFor(f, '0612345678');
    expect(readdirSync(keyringDirectory).some((name) => /^kek-\d+\.key$/.test(name))).toBe(true);

    panel.openLid();
    scheduler.advance(199);
    expect(faults.codes()).toEqual([]);
    scheduler.advance(1);

    expect(f.keyring.zeroized).toBe(true);
    expect(readdirSync(keyringDirectory).filter((name) => name.startsWith('kek-'))).toEqual([]);
    const refused = thrownBy(() => f.rights.exportAccess(coordinator, request));
    expect(isGatewayError(refused, 'HGW_KEYRING_ZEROIZED')).toBe(true);
    expect((refused as Error).message).toMatch(/zeroized .*re-provisioned/);
    expect(isGatewayError(thrownBy(() => f.rights.register(coordinator, { kind: 'access', channel: 'phone', supplied: '0612345678' })), 'HGW_KEYRING_ZEROIZED')).toBe(true);

    expect(faults.codes()).toEqual(['HGW_KEYRING_ZEROIZED']);
    expect(faults.accepting()).toBe(false);
    expect(ledModesFor(state()).fault).toBe('on');
    // A child who calls still reaches a volunteer: offered, not recorded, nothing sealed.
    const contactsBefore = f.contacts.count();
    expect(f.call('0687654321')).toMatchObject({ recorded: false, callerKnown: false, state: 'ringing' });
    expect(f.contacts.count()).toBe(contactsBefore);

    expect(incidents.open()).toEqual([expect.objectContaining({ kind: 'tamper', severity: 'critical', summary: expect.stringMatching(/^the case was opened; the key-encryption key was destroyed/) })]);
    expect(actions(f)).toEqual(expect.arrayContaining(['keyring.zeroized', 'tamper.detected', 'incident.raised']));
    expect(f.auditTrail().find((entry) => entry.action === 'tamper.detected')?.details).toEqual({ switch: 'lid', zeroized: true });

    // The lid goes back on: nothing comes back.
    panel.closeLid();
    scheduler.advance(1_000);
    expect(faults.codes()).toEqual(['HGW_KEYRING_ZEROIZED']);
    expect(isGatewayError(thrownBy(() => Keyring.open({ directory: keyringDirectory, clock: f.clock })), 'HGW_KEYRING_MISSING_KEK')).toBe(true);
    expect(existsSync(join(keyringDirectory, 'keyring.json'))).toBe(true);
  });

  it('raises one incident per opening, and zeroizes once', async () => {
    const { f, incidents, panel, scheduler } = tamperBox(true);
    await panel.start();
    panel.openLid();
    scheduler.advance(300);
    panel.closeLid();
    scheduler.advance(300);
    panel.openLid();
    scheduler.advance(300);
    expect(incidents.open().map((incident) => incident.severity)).toEqual(['critical', 'critical']);
    expect(actions(f).filter((action) => action === 'keyring.zeroized')).toHaveLength(1);
  });
});

describe('the tamper switch with zeroize off (the default)', () => {
  it('raises the incident and keeps the keyring: the box goes on unsealing and taking contacts', async () => {
    const { f, faults, incidents, panel, scheduler, state } = tamperBox(false);
    await panel.start();
    f.call('0612345678');
    const request = accessRequestFor(f, '0612345678');
    panel.openLid();
    scheduler.advance(200);
    expect(incidents.open()).toEqual([expect.objectContaining({ kind: 'tamper', severity: 'critical', summary: 'the case was opened' })]);
    expect(f.keyring.zeroized).toBe(false);
    expect(faults.codes()).toEqual([]);
    expect(JSON.parse(valueOf(f.rights.exportAccess(coordinator, request)).json).contacts).toHaveLength(1);
    expect(f.call('0687654321').recorded).toBeUndefined();
    expect(ledModesFor(state()).fault).toBe('blink-fast');
    expect(actions(f)).toContain('tamper.detected');
    expect(actions(f)).not.toContain('keyring.zeroized');
  });

  it('ignores a switch that chatters for less than 200 ms', async () => {
    const { incidents, panel, scheduler } = tamperBox(true);
    await panel.start();
    for (let i = 0; i < 5; i++) {
      panel.openLid();
      scheduler.advance(60);
      panel.closeLid();
      scheduler.advance(60);
    }
    scheduler.advance(1_000);
    expect(incidents.open()).toEqual([]);
  });
});

describe('the panel board going away', () => {
  it('raises a tamper incident of high severity and the HGW_PANEL_LOST warning, never zeroizes, and clears the warning when it is back', async () => {
    const { f, faults, incidents, panel } = tamperBox(true);
    await panel.start();
    panel.unplug();
    expect(incidents.open()).toEqual([expect.objectContaining({ kind: 'tamper', severity: 'high' })]);
    expect(faults.codes()).toEqual(['HGW_PANEL_LOST']);
    expect(faults.accepting()).toBe(true);
    expect(f.keyring.zeroized).toBe(false);
    panel.plugIn();
    expect(faults.codes()).toEqual([]);
    expect(actions(f)).toEqual(expect.arrayContaining(['panel.lost', 'panel.found']));
  });
});
