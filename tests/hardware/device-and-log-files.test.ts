import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hardwareFile, sectionEntries } from './hardware-files.js';

describe('the udev rules (hardware/99-helpline-gateway.rules)', () => {
  const rules = hardwareFile('99-helpline-gateway.rules')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const naming = rules.filter((line) => line.includes('SYMLINK+='));

  it('names the two devices /dev/helpline-modem and /dev/helpline-panel', () => {
    const names = new Set(naming.map((line) => /SYMLINK\+="([^"]+)"/.exec(line)?.[1]));
    expect([...names].sort()).toEqual(['helpline-modem', 'helpline-panel']);
  });

  it('matches each device by USB vendor and product, and gives it to group dialout with mode 0660, out of ModemManager\'s reach', () => {
    for (const line of naming) {
      expect(line, line).toMatch(/ATTRS\{idVendor\}=="[0-9a-f]{4}", ATTRS\{idProduct\}=="[0-9a-f]{4}"/);
      expect(line, line).toContain('GROUP="dialout"');
      expect(line, line).toContain('MODE="0660"');
      expect(line, line).toContain('ENV{ID_MM_DEVICE_IGNORE}="1"');
    }
  });

  it('looks at tty devices only', () => {
    expect(rules[0]).toBe('SUBSYSTEM!="tty", GOTO="helpline_gateway_end"');
    expect(rules.at(-1)).toBe('LABEL="helpline_gateway_end"');
  });
});

describe('the drivers loaded at boot (hardware/helpline-gateway-modules.conf)', () => {
  it('loads the drivers of the two device classes the unit allows (ttyACM, ttyUSB)', () => {
    const modules = hardwareFile('helpline-gateway-modules.conf').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(modules).toEqual(['cdc_acm', 'usbserial']);
    expect(hardwareFile('helpline-gateway.service')).toMatch(/^DeviceAllow=char-ttyACM rw\nDeviceAllow=char-ttyUSB rw$/m);
  });
});

describe('the journal namespace (hardware/journald@helpline-gateway.conf)', () => {
  it('keeps two weeks in daily files, uncompressed, and forwards nothing', () => {
    const journal = Object.fromEntries(sectionEntries(hardwareFile('journald@helpline-gateway.conf'), 'Journal'));
    expect(journal).toMatchObject({ Storage: 'persistent', MaxRetentionSec: '14day', MaxFileSec: '1day', Compress: 'no', ForwardToSyslog: 'no', ForwardToWall: 'no' });
  });
});

describe('the log rotation (hardware/helpline-gateway.logrotate), run by the real logrotate', () => {
  it('rotates the data directory\'s logs daily, keeps 7, compresses nothing and shreds what it removes', () => {
    const text = hardwareFile('helpline-gateway.logrotate');
    for (const directive of ['daily', 'rotate 7', 'maxage 7', 'nocompress', 'shred', 'copytruncate', 'su helpline helpline']) {
      expect(text).toMatch(new RegExp(`^\\s+${directive}$`, 'm'));
    }
    expect(text).toMatch(/^\/var\/lib\/helpline-gateway\/logs\/\*\.log \{$/m);
  });

  it('is accepted by logrotate, and a forced rotation truncates the log in place and keeps an uncompressed copy', () => {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-logrotate-'));
    try {
      const logs = join(directory, 'logs');
      mkdirSync(logs, { mode: 0o700 });
      // The same file with this test's directory and user (there is no helpline user here).
      const config = hardwareFile('helpline-gateway.logrotate').replaceAll('/var/lib/helpline-gateway/logs', logs).replace('su helpline helpline', 'su root root');
      writeFileSync(join(directory, 'logrotate.conf'), config);
      writeFileSync(join(logs, 'gateway.log'), '{"level":30,"msg":"gateway ready"}\n');
      const result = spawnSync('logrotate', ['--force', '--state', join(directory, 'state'), join(directory, 'logrotate.conf')], { encoding: 'utf8' });
      expect(result.error).toBeUndefined();
      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(join(logs, 'gateway.log'), 'utf8')).toBe('');
      expect(readFileSync(join(logs, 'gateway.log.1'), 'utf8')).toContain('gateway ready');
      expect(readdirSync(logs).filter((name) => name.endsWith('.gz'))).toEqual([]);
      expect(existsSync(join(directory, 'state'))).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
