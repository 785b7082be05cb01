import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';

/**
 * No private key, secret key or token in the repository (docs/security.md, "Secret scan"): every
 * file git tracks or would add (ignored ones aside), scanned for PEM private keys, ed25519 secret
 * keys (recognised exactly: the second half of 64 bytes is the public key the first half makes),
 * keyring and key files, well-known token formats, and secrets in JSON or Markdown config snippets
 * that are not placeholders. A fixture that must look like a key is listed below with its reason,
 * and may not hold one.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'dist', 'data', 'test-artifacts', '.scratch', '.bench']);

/** Files that carry a PEM frame on purpose, and why; the frame's body must be too short to be a key. */
const FAKE_KEY_FIXTURES: Readonly<Record<string, string>> = {
  'tests/upstream/upstream-credentials.test.ts': 'a PEM frame around the words "not a key", to test that the box refuses it',
  'tests/security/secret-scan.test.ts': 'this scanner, which names the patterns it looks for',
};

function repositoryFiles(): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return listed.split('\0').filter((path) => path !== '' && statSafe(join(ROOT, path)));
  } catch {
    const found: string[] = [];
    const walk = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) walk(join(directory, entry.name));
        else if (entry.isFile()) found.push(relative(ROOT, join(directory, entry.name)));
      }
    };
    walk(ROOT);
    return found;
  }
}

function statSafe(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface Finding {
  readonly file: string;
  readonly what: string;
}

const PEM_PRIVATE = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([\s\S]*?)-----END \1PRIVATE KEY-----/g;
const BASE64_64_BYTES = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g;
const HEX_64_BYTES = /(?<![0-9a-fA-F])[0-9a-fA-F]{128}(?![0-9a-fA-F])/g;
const TOKEN_FORMATS: ReadonlyArray<readonly [string, RegExp]> = [
  ['an AWS access key id', /\bAKIA[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['an npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['an OpenSSH private key', /-----BEGIN OPENSSH PRIVATE KEY-----/],
  ['a PGP private key', /-----BEGIN PGP PRIVATE KEY BLOCK-----/],
];
const KEY_FILE_NAMES = /(^|\/)(keyring\.json|kek-\d+\.key|[^/]*\.(pem|p12|pfx|key)|id_(rsa|ed25519|ecdsa)|\.env)$/;
const CONFIG_SECRET = /"(token|password|secret|passphrase|apiKey|privateKey)"\s*:\s*"([^"]*)"/g;
const PLACEHOLDER = /replace|example|change-?me|your-|<|\.\.\.|…|\$\{|^$/i;

/** True when the 64 bytes are an ed25519 secret key as tweetnacl writes one (seed ‖ public key). */
function isEd25519SecretKey(bytes: Buffer): boolean {
  if (bytes.length !== 64) return false;
  const derived = nacl.sign.keyPair.fromSeed(new Uint8Array(bytes.subarray(0, 32)));
  return Buffer.from(derived.publicKey).equals(bytes.subarray(32));
}

export function scanText(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(PEM_PRIVATE)) {
    const body = Buffer.from((match[2] ?? '').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (!(file in FAKE_KEY_FIXTURES)) findings.push({ file, what: `a PEM ${match[1] ?? ''}PRIVATE KEY block` });
    else if (body.length >= 32) findings.push({ file, what: 'a PEM private key in a fixture listed as fake, with a body long enough to be a key' });
  }
  for (const match of text.matchAll(BASE64_64_BYTES)) {
    if (isEd25519SecretKey(Buffer.from(match[0], 'base64'))) findings.push({ file, what: 'an ed25519 secret key (base64)' });
  }
  for (const match of text.matchAll(HEX_64_BYTES)) {
    if (isEd25519SecretKey(Buffer.from(match[0], 'hex'))) findings.push({ file, what: 'an ed25519 secret key (hex)' });
  }
  if (!(file in FAKE_KEY_FIXTURES)) for (const [what, pattern] of TOKEN_FORMATS) if (pattern.test(text)) findings.push({ file, what });
  if (/\.(json|md)$/.test(file)) {
    for (const match of text.matchAll(CONFIG_SECRET)) {
      if (!PLACEHOLDER.test(match[2] ?? '')) findings.push({ file, what: `a "${match[1] ?? ''}" value that is not a placeholder` });
    }
  }
  return findings;
}

describe('the repository holds no secret', () => {
  const files = repositoryFiles();

  it('scans the whole tree', () => {
    expect(files.length).toBeGreaterThan(500);
    expect(files).toContain('src/main.ts');
    expect(files).toContain('docs/config.example.json');
  });

  it('has no private key, secret key, key file, token or non-placeholder secret in any file', () => {
    const findings: Finding[] = [];
    for (const file of files) {
      if (KEY_FILE_NAMES.test(file)) findings.push({ file, what: 'a key or keyring file' });
      const bytes = readFileSync(join(ROOT, file));
      if (bytes.includes(0)) continue;
      findings.push(...scanText(file, bytes.toString('utf8')));
    }
    expect(findings).toEqual([]);
  });

  it('lists only fake-key fixtures that exist', () => {
    for (const file of Object.keys(FAKE_KEY_FIXTURES)) expect(files).toContain(file);
  });

  it('finds what it looks for (so the scan above can fail)', () => {
    const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
    const secretBase64 = Buffer.from(pair.secretKey).toString('base64');
    const pem = ['-----BEGIN EC PRIVATE KEY-----', Buffer.alloc(121, 1).toString('base64'), '-----END EC PRIVATE KEY-----'].join('\n');
    expect(scanText('x.ts', `const key = '${secretBase64}';`)).toEqual([{ file: 'x.ts', what: 'an ed25519 secret key (base64)' }]);
    expect(scanText('x.ts', Buffer.from(pair.secretKey).toString('hex'))).toEqual([{ file: 'x.ts', what: 'an ed25519 secret key (hex)' }]);
    expect(scanText('x.ts', `# release key\n${Buffer.from(nacl.randomBytes(64)).toString('base64')}`)).toEqual([]);
    expect(scanText('x.pem.txt', pem)).toEqual([{ file: 'x.pem.txt', what: 'a PEM EC PRIVATE KEY block' }]);
    expect(scanText('tests/upstream/upstream-credentials.test.ts', pem)).toHaveLength(1);
    expect(scanText('x.ts', `${'gh'}p_${'a'.repeat(36)}`)).toEqual([{ file: 'x.ts', what: 'a GitHub token' }]);
    expect(scanText('config.json', '{"password": "hunter2-real"}')).toHaveLength(1);
    expect(scanText('config.json', '{"password": "replace-me", "token": "replace-with-32-or-more-random-characters-1"}')).toEqual([]);
    expect(KEY_FILE_NAMES.test('data/keyring/kek-3.key')).toBe(true);
  });
});
