import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountService } from '../../src/accounts/index.js';
import { LoginBurstIncidents } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { FAST_SCRYPT } from '../accounts/account-fixture.js';
import { HOUR, MINUTE, openIncidentFixture, type IncidentFixture } from './incident-fixture.js';

const PASSWORD = 'a long enough passphrase for anna';

let fixture: IncidentFixture;
let accounts: AccountService;
let detector: LoginBurstIncidents;

beforeEach(async () => {
  fixture = openIncidentFixture();
  accounts = new AccountService({ database: fixture.database, clock: fixture.clock, scryptParameters: FAST_SCRYPT, logger: silentLogger() });
  await accounts.createAccount('anna', 'coordinator', PASSWORD);
  detector = new LoginBurstIncidents({ accounts, incidents: fixture.register, logger: silentLogger() });
  await detector.start();
});

afterEach(async () => {
  await detector.stop();
  fixture.cleanup();
});

async function failLogins(count: number, remotePrefix: string): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    expect((await accounts.login('anna', `wrong guess number ${i}`, { remoteKey: `${remotePrefix}-${i}` })).ok).toBe(false);
  }
}

describe('login-burst incidents', () => {
  it('raises a medium login-burst incident with counts only, and audits it once, when five failed logins lock an account', async () => {
    await failLogins(4, 'client');
    expect(fixture.incidents()).toEqual([]);
    await failLogins(1, 'last');
    const [incident, ...others] = fixture.incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ kind: 'login-burst', severity: 'medium', summary: '5 failed logins within 15 minutes against one account', detectedAt: fixture.clock.now() });
    expect(incident?.summary).not.toMatch(/anna|client|wrong/);
    const raised = fixture.audit.entries().filter((entry) => entry.action === 'incident.raised');
    expect(raised).toMatchObject([{ actorRole: 'system', target: `incident-${incident?.id}`, details: { kind: 'login-burst', severity: 'medium' } }]);
    expect(fixture.audit.verify().ok).toBe(true);
  });

  it('folds a second burst within the hour into the same incident without a second audit entry, and opens a new one after', async () => {
    await failLogins(5, 'first');
    fixture.clock.advance(20 * MINUTE);
    await failLogins(5, 'second');
    expect(fixture.incidents()).toHaveLength(1);
    expect(fixture.audit.entries().filter((entry) => entry.action === 'incident.raised')).toHaveLength(1);
    fixture.clock.advance(2 * HOUR);
    await failLogins(5, 'third');
    expect(fixture.incidents()).toHaveLength(2);
    expect(fixture.audit.entries().filter((entry) => entry.action === 'incident.raised')).toHaveLength(2);
  });

  it('raises nothing after stop()', async () => {
    await detector.stop();
    await failLogins(5, 'client');
    expect(fixture.incidents()).toEqual([]);
  });
});
