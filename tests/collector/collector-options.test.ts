import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/arguments.js';
import { parseCollectorFlags, parseListen } from '../../src/collector/index.js';
import { isGatewayError } from '../../src/errors.js';
import { thrownBy } from '../support/thrown-by.js';

const REQUIRED = { broker: 'mqtt://broker.example:1883', db: 'postgres://collector@db.example/helpline' };

describe('the collector command line', () => {
  it('parses every flag of helpline-gateway collector', () => {
    const command = parseCommandLine(['collector', '--broker', 'mqtts://b:8883', '--db', 'postgres://c@d/e', '--group', 'collectors', '--listen', '0.0.0.0:9000', '--client-id', 'c-1',
      '--session-expiry-days', '7', '--time-zone', 'Europe/Brussels', '--username', 'collector', '--ca', 'ca.pem', '--cert', 'c.pem', '--key', 'c.key', '--log-level', 'warn']);
    expect(command).toEqual({
      command: 'collector',
      flags: { broker: 'mqtts://b:8883', db: 'postgres://c@d/e', group: 'collectors', listen: '0.0.0.0:9000', clientId: 'c-1', sessionExpiryDays: '7', timeZone: 'Europe/Brussels', username: 'collector', ca: 'ca.pem', cert: 'c.pem', key: 'c.key', logLevel: 'warn' },
    });
  });

  it('defaults: a plain subscription, loopback on 8090, 30 days of session, Amsterdam time', () => {
    expect(parseCollectorFlags(REQUIRED, 'hgw-collector-host')).toEqual({
      brokerUrl: REQUIRED.broker,
      databaseUrl: REQUIRED.db,
      group: undefined,
      clientId: 'hgw-collector-host',
      listen: { host: '127.0.0.1', port: 8090 },
      sessionExpirySeconds: 30 * 86_400,
      timeZone: 'Europe/Amsterdam',
      username: undefined,
      tlsFiles: {},
      logLevel: 'info',
    });
  });

  it('names every bad flag at once with HGW_COLLECTOR_OPTIONS', () => {
    const error = thrownBy(() => parseCollectorFlags({ broker: 'http://x', db: 'mysql://db/helpline', group: '$share/x', listen: 'everywhere', sessionExpiryDays: '0', timeZone: 'Mars/Olympus' }, 'id'));
    expect(isGatewayError(error, 'HGW_COLLECTOR_OPTIONS')).toBe(true);
    const message = (error as Error).message;
    for (const flag of ['--broker', '--db', '--group', '--listen', '--session-expiry-days', '--time-zone']) expect(message).toContain(`${flag}:`);
    expect(message).toContain('PGPASSWORD');
  });

  it('wants a client certificate with its key', () => {
    expect(isGatewayError(thrownBy(() => parseCollectorFlags({ ...REQUIRED, cert: 'c.pem' }, 'id')), 'HGW_COLLECTOR_OPTIONS')).toBe(true);
  });

  it('reads listen addresses', () => {
    expect(parseListen('127.0.0.1:8090')).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseListen('[::1]:8090')).toEqual({ host: '::1', port: 8090 });
    expect(parseListen(':8090')).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseListen('dashboard.internal:80')).toEqual({ host: 'dashboard.internal', port: 80 });
    expect(parseListen('8090')).toBeUndefined();
    expect(parseListen('host:99999')).toBeUndefined();
  });
});
