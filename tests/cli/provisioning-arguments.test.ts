import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/arguments.js';

describe('the provisioning commands on the command line', () => {
  it('reads keys init, config check and upstream check', () => {
    expect(parseCommandLine(['keys', 'init', '--config', 'c.json', '--data-dir', 'd'])).toEqual({ command: 'keys-init', config: 'c.json', dataDir: 'd' });
    expect(parseCommandLine(['keys', 'status', '--config', 'c.json'])).toMatchObject({ command: 'keys-status' });
    expect(parseCommandLine(['config', 'check', '--config', 'c.json'])).toEqual({ command: 'config-check', config: 'c.json' });
    expect(parseCommandLine(['upstream', 'check', '--config', 'c.json'])).toEqual({ command: 'upstream-check', config: 'c.json' });
  });

  it('refuses unknown subcommands, extra arguments and a missing --config', () => {
    for (const argv of [['keys', 'make', '--config', 'x'], ['config', 'show', '--config', 'x'], ['upstream', 'ping', '--config', 'x'], ['config', 'check', 'extra', '--config', 'x'], ['keys', 'init'], ['upstream', 'check']]) {
      expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});
