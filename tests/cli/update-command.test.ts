import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/arguments.js';
import { updateCommand } from '../../src/cli/update.js';
import type { UpdateCommand } from '../../src/cli/update-arguments.js';
import { isGatewayError } from '../../src/errors.js';
import { firmwareVersion } from '../../src/main.js';
import { makeBundle, OFFICE_KEY } from '../update/update-fixture.js';

const EXAMPLE_CONFIG = join(import.meta.dirname, '..', '..', 'docs', 'config.example.json');
const next = `${Number(firmwareVersion().split('.')[0]) + 1}.0.0`;
let dir: string;
let lines: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hgw-update-cli-'));
  lines = [];
  mkdirSync(join(dir, 'opt', 'slots', 'a'), { recursive: true });
  writeFileSync(join(dir, 'opt', 'slots', 'a', 'package.json'), JSON.stringify({ version: firmwareVersion() }));
  symlinkSync('slots/a', join(dir, 'opt', 'current'));
  symlinkSync('slots/a', join(dir, 'opt', 'committed'));
  mkdirSync(join(dir, 'payload', 'dist'), { recursive: true });
  writeFileSync(join(dir, 'payload', 'package.json'), JSON.stringify({ name: 'helpline-gateway', version: next }));
  writeFileSync(join(dir, 'payload', 'dist', 'main.js'), 'export {};\n');
  mkdirSync(join(dir, 'office'));
  mkdirSync(join(dir, 'etc', 'keys'), { recursive: true });
  const config = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...config, dataDir: join(dir, 'data'), update: { root: join(dir, 'opt'), stateDir: join(dir, 'state'), keysDir: join(dir, 'etc', 'keys'), hardwareId: 'rpi5' } }),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const say = (line: string): void => void lines.push(line);
const run = (argv: string[]): Promise<number> => {
  const command = parseCommandLine(argv);
  if (command.command !== 'update') throw new Error('not an update command');
  return updateCommand(command as UpdateCommand & { command: 'update' }, say);
};
const config = (): string[] => ['--config', join(dir, 'config.json')];

describe('helpline-gateway update', () => {
  it('makes a key pair, builds, signs, verifies, applies, shows status, counts a start and rolls back, never printing the secret key', async () => {
    expect(await run(['update', 'keygen', '--out', join(dir, 'office')])).toBe(0);
    const secretFile = readdirSync(join(dir, 'office')).find((name) => name.endsWith('.key')) ?? '';
    const publicFile = secretFile.replace(/\.key$/, '.pub');
    expect(statSync(join(dir, 'office', secretFile)).mode & 0o777).toBe(0o600);
    const secretLine = readFileSync(join(dir, 'office', secretFile), 'utf8').split('\n')[1] ?? '';
    writeFileSync(join(dir, 'etc', 'keys', publicFile), readFileSync(join(dir, 'office', publicFile)));

    const bundle = join(dir, 'update.hgwb');
    expect(await run(['update', 'build', '--from', join(dir, 'payload'), '--minimum-version', '0.0.1', '--hardware', 'rpi4,rpi5', '--out', bundle])).toBe(0);
    expect(lines.at(-1)).toMatch(new RegExp(`^built .*update\\.hgwb: version ${next.replace(/\./g, '\\.')} \\(minimum 0\\.0\\.1\\) for rpi4, rpi5, 2 files, 0\\.0 MB; not signed yet$`));
    const unsigned = await run(['update', 'verify', bundle, ...config()]).catch((error: unknown) => error);
    expect(isGatewayError(unsigned, 'HGW_UPDATE_UNSIGNED')).toBe(true);

    chmodSync(join(dir, 'office', secretFile), 0o640);
    const open = await run(['update', 'sign', bundle, '--key', join(dir, 'office', secretFile)]).catch((error: unknown) => error);
    expect(isGatewayError(open, 'HGW_UPDATE_KEYS')).toBe(true);
    expect((open as Error).message).toMatch(/is open to others \(mode 0640\): chmod 600 it/);
    chmodSync(join(dir, 'office', secretFile), 0o600);
    expect(await run(['update', 'sign', bundle, '--key', join(dir, 'office', secretFile)])).toBe(0);

    expect(await run(['update', 'verify', bundle, ...config()])).toBe(0);
    expect(lines.at(-2)).toMatch(/^bundle OK: version .* for rpi4, rpi5, signed with key [0-9a-f]{16}, 2 files/);
    expect(await run(['update', 'apply', bundle, ...config()])).toBe(0);
    expect(lines.some((line) => line.startsWith(`version ${next} staged in slot b`))).toBe(true);
    expect(await run(['update', 'boot-check', ...config()])).toBe(0);
    expect(lines.at(-1)).toBe(`update boot-check: version ${next} starts on trial (start 1 of 3); it is committed once its health check passes`);
    expect(await run(['update', 'status', ...config()])).toBe(0);
    expect(lines).toContain(`trial:     ${next} in slot b, start 1 of 3, database backed up`);
    expect(await run(['update', 'rollback', ...config()])).toBe(0);
    expect(lines.at(-1)).toBe(`version ${next} was rolled back by hand to ${firmwareVersion()}; start the service again`);
    expect(lines.join('\n')).not.toContain(secretLine);
  });

  it('applies the newest upload waiting in incoming/ (the apply agent) and removes what it took, applied or refused', async () => {
    writeFileSync(join(dir, 'etc', 'keys', 'office.pub'), OFFICE_KEY.publicText);
    const incoming = join(dir, 'state', 'incoming');
    mkdirSync(incoming, { recursive: true });
    expect(await run(['update', 'apply', '--incoming', ...config()])).toBe(0);
    expect(lines.at(-1)).toBe(`nothing waiting in ${incoming}`);

    const damaged = makeBundle({ version: next, minimumVersion: '0.0.1' });
    damaged[damaged.length - 10] = (damaged[damaged.length - 10] ?? 0) ^ 1;
    writeFileSync(join(incoming, 'bundle-1.hgwb'), damaged);
    const refused = await run(['update', 'apply', '--incoming', ...config()]).catch((error: unknown) => error);
    expect(isGatewayError(refused, 'HGW_UPDATE_FILE_MISMATCH'), String(refused)).toBe(true);
    expect(readdirSync(incoming)).toEqual([]);

    writeFileSync(join(incoming, 'bundle-2.hgwb'), makeBundle({ version: next }));
    writeFileSync(join(incoming, 'bundle-3.hgwb'), makeBundle({ version: next, minimumVersion: '0.0.1' }));
    expect(await run(['update', 'apply', '--incoming', ...config()])).toBe(0);
    expect(lines).toContain(`applying ${join(incoming, 'bundle-3.hgwb')}`);
    expect(readdirSync(incoming)).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8'))).toMatchObject({ trial: { version: next, slot: 'b' } });
  });

  it('says what is missing from an update command line', () => {
    const usage = (argv: string[]): string => {
      try {
        parseCommandLine(argv);
      } catch (error) {
        if (error instanceof UsageError) return error.message;
      }
      return 'no usage error';
    };
    expect(usage(['update'])).toBe('unknown update subcommand: (none); try: keygen, build, sign, verify, apply, status, boot-check, commit, rollback');
    expect(usage(['update', 'apply', ...config()])).toBe('update apply needs a BUNDLE (or --incoming)');
    expect(usage(['update', 'verify', 'x.hgwb'])).toBe('update verify needs --config FILE');
    expect(usage(['update', 'build', '--from', 'p', '--out', 'o', '--hardware', 'rpi5'])).toBe('update build needs --minimum-version V (the oldest version a box may run to take it)');
    expect(usage(['update', 'build', '--from', 'p', '--out', 'o', '--minimum-version', '1.0', '--hardware', 'rpi5'])).toBe('--minimum-version needs a semantic version such as 1.4.0');
    expect(usage(['update', 'sign', 'x.hgwb'])).toBe('update sign needs BUNDLE and --key FILE');
    expect(parseCommandLine(['update', 'apply', '--incoming', ...config()])).toEqual({ command: 'update', action: 'apply-incoming', config: join(dir, 'config.json'), dataDir: undefined });
  });
});
