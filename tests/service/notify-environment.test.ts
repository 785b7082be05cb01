import { describe, expect, it } from 'vitest';
import { notifySettingsFromEnvironment } from '../../src/service/index.js';
import { socatAddress } from '../../src/service/index.js';
import { thrownBy } from '../support/thrown-by.js';

describe('the supervisor settings from the environment', () => {
  it('is undefined without NOTIFY_SOCKET (started by hand)', () => {
    expect(notifySettingsFromEnvironment({}, 42)).toBeUndefined();
    expect(notifySettingsFromEnvironment({ NOTIFY_SOCKET: '' }, 42)).toBeUndefined();
  });

  it('reads a socket path and pings at half of WATCHDOG_USEC', () => {
    const settings = notifySettingsFromEnvironment({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42);
    expect(settings).toEqual({ socket: { kind: 'path', path: '/run/systemd/notify' }, watchdogIntervalMs: 15_000 });
    expect(socatAddress(settings!.socket)).toBe('UNIX-SENDTO:/run/systemd/notify');
  });

  it('reads an abstract socket name (leading @) as socat\'s ABSTRACT-SENDTO', () => {
    const settings = notifySettingsFromEnvironment({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify/123' }, 42);
    expect(settings?.socket).toEqual({ kind: 'abstract', name: '/org/freedesktop/systemd1/notify/123' });
    expect(settings?.watchdogIntervalMs).toBeUndefined();
    expect(socatAddress(settings!.socket)).toBe('ABSTRACT-SENDTO:/org/freedesktop/systemd1/notify/123');
  });

  it('leaves the watchdog to the process WATCHDOG_PID names', () => {
    expect(notifySettingsFromEnvironment({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42)?.watchdogIntervalMs).toBeUndefined();
  });

  it('refuses an address socat would misread, a relative path and a bad WATCHDOG_USEC, with HGW_SERVICE_NOTIFY', () => {
    for (const environment of [
      { NOTIFY_SOCKET: '/tmp/a,b' },
      { NOTIFY_SOCKET: '/tmp/a:b' },
      { NOTIFY_SOCKET: 'relative/notify' },
      { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: 'soon' },
    ]) {
      expect(thrownBy(() => notifySettingsFromEnvironment(environment, 42))).toMatchObject({ code: 'HGW_SERVICE_NOTIFY' });
    }
  });
});
