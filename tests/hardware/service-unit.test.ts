import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARDWARE, hardwareFile, sectionEntries } from './hardware-files.js';

const unit = hardwareFile('helpline-gateway.service');
const service = sectionEntries(unit, 'Service');
const values = (key: string): string[] => service.filter(([name]) => name === key).map(([, value]) => value);
const value = (key: string): string | undefined => values(key)[0];

describe('the systemd unit (hardware/helpline-gateway.service)', () => {
  it('is a notify service with a 30 s watchdog that any process of the unit may feed, restarted on failure', () => {
    expect(value('Type')).toBe('notify');
    expect(value('WatchdogSec')).toBe('30s');
    expect(value('NotifyAccess')).toBe('all');
    expect(value('Restart')).toBe('on-failure');
    expect(value('ExecStart')).toBe('/usr/bin/node /opt/helpline-gateway/current/dist/cli/helpline-gateway.js run --config /etc/helpline-gateway/config.json');
  });

  it('runs the update start check first, as root from the committed code, and never stops restarting a version on trial', () => {
    expect(value('ExecStartPre')).toBe('+-/usr/bin/node /opt/helpline-gateway/committed/dist/cli/helpline-gateway.js update boot-check --config /etc/helpline-gateway/config.json');
    expect(sectionEntries(unit, 'Unit')).toContainEqual(['StartLimitIntervalSec', '0']);
  });

  it('has a root path unit that applies an upload from the committed code and then restarts the service', () => {
    const path = sectionEntries(hardwareFile('helpline-gateway-update.path'), 'Path');
    expect(path).toContainEqual(['PathExistsGlob', '/var/lib/helpline-gateway/update/incoming/*.hgwb']);
    const agent = sectionEntries(hardwareFile('helpline-gateway-update.service'), 'Service');
    expect(agent).toContainEqual(['Type', 'oneshot']);
    expect(agent).toContainEqual(['ExecStart', '/usr/bin/node /opt/helpline-gateway/committed/dist/cli/helpline-gateway.js update apply --incoming --config /etc/helpline-gateway/config.json']);
    expect(agent).toContainEqual(['ExecStartPost', '/bin/systemctl restart helpline-gateway.service']);
    expect(agent.some(([key]) => key === 'User')).toBe(false);
  });

  it('runs as the dedicated user with no capabilities and the hardening options set', () => {
    expect(value('User')).toBe('helpline');
    expect(value('SupplementaryGroups')).toBe('dialout');
    const expected: Record<string, string> = {
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'no',
      DevicePolicy: 'closed',
      ReadWritePaths: '/var/lib/helpline-gateway',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      UMask: '0077',
      LockPersonality: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      ProtectClock: 'yes',
      RestrictNamespaces: 'yes',
      RestrictRealtime: 'yes',
      RestrictSUIDSGID: 'yes',
      SystemCallArchitectures: 'native',
      LimitCORE: '0',
      LogNamespace: 'helpline-gateway',
    };
    for (const [key, wanted] of Object.entries(expected)) expect(value(key), key).toBe(wanted);
    expect(values('SystemCallFilter')).toContain('@system-service');
    expect(value('RestrictAddressFamilies')?.split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
    expect(values('DeviceAllow').sort()).toEqual(['char-ttyACM rw', 'char-ttyUSB rw']);
  });

  it('leaves MemoryDenyWriteExecute off (V8 compiles code at run time) and says so', () => {
    expect(value('MemoryDenyWriteExecute')).toBeUndefined();
    expect(unit).toMatch(/^# Not MemoryDenyWriteExecute=yes: V8's JIT/m);
  });

  it('says why for every option: each one follows a comment or another option of the same group', () => {
    const lines = unit.split('\n');
    const start = lines.indexOf('[Service]');
    const end = lines.indexOf('[Install]');
    let commented = false;
    for (const line of lines.slice(start + 1, end)) {
      if (line.startsWith('#')) commented = true;
      else if (line.trim() === '') commented = false;
      else expect(commented, line).toBe(true);
    }
  });

  it('passes systemd-analyze verify, with the update path unit and its service', () => {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-unit-'));
    try {
      const units = ['helpline-gateway.service', 'helpline-gateway-update.path', 'helpline-gateway-update.service'];
      for (const name of units) copyFileSync(join(HARDWARE, name), join(directory, name));
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((name) => join(directory, name))], { encoding: 'utf8' });
      expect(result.error).toBeUndefined();
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr.split('\n').filter((line) => line.includes('helpline-gateway'))).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
