import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY } from './install-tree.js';

describe('the installer\'s shell code', () => {
  it('is shellcheck-clean (install.sh with every file it sources)', () => {
    const result = spawnSync('shellcheck', ['-x', 'install.sh'], { cwd: join(REPOSITORY, 'scripts'), encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints its options with --help and refuses an unknown one', () => {
    const help = spawnSync('bash', [join(REPOSITORY, 'scripts', 'install.sh'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}--root DIR /m);
    const unknown = spawnSync('bash', [join(REPOSITORY, 'scripts', 'install.sh'), '--frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^install\.sh: unknown option: --frobnicate$/m);
  });
});
