import { describe, expect, it } from 'vitest';
import { compareVersions, hardwareIdFromModel, isSemanticVersion } from '../../src/update/index.js';

describe('semantic versions', () => {
  it('orders versions as semver.org does, pre-releases below their release', () => {
    const ordered = ['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0'];
    for (let index = 1; index < ordered.length; index += 1) {
      expect(compareVersions(ordered[index - 1] ?? '', ordered[index] ?? ''), `${ordered[index - 1]} < ${ordered[index]}`).toBeLessThan(0);
      expect(compareVersions(ordered[index] ?? '', ordered[index - 1] ?? '')).toBeGreaterThan(0);
    }
    expect(compareVersions('1.4.0', '1.4.0')).toBe(0);
  });

  it('refuses what is not strictly a version, so nothing slips past the floor', () => {
    for (const text of ['1.0', '01.0.0', '1.0.0+build.5', 'v1.0.0', '1.0.0-', '1.0.0-01', ' 1.0.0', '1.0.0\n', '9999999999.0.0']) expect(isSemanticVersion(text), JSON.stringify(text)).toBe(false);
    expect(() => compareVersions('1.0', '1.0.0')).toThrow(RangeError);
  });
});

describe('the hardware id', () => {
  it('reads the Raspberry Pi models from the device tree, NUL and all', () => {
    expect(hardwareIdFromModel('Raspberry Pi 4 Model B Rev 1.4\0')).toBe('rpi4');
    expect(hardwareIdFromModel('Raspberry Pi 5 Model B Rev 1.0\0')).toBe('rpi5');
    expect(hardwareIdFromModel('Raspberry Pi 3 Model B Plus Rev 1.3')).toBe('rpi3');
    expect(hardwareIdFromModel('Raspberry Pi Compute Module 4 Rev 1.0')).toBe('rpi-cm4');
    expect(hardwareIdFromModel('Raspberry Pi 400 Rev 1.0')).toBe('rpi400');
    expect(hardwareIdFromModel('Some Other Board')).toBeUndefined();
  });
});
