import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(directory = SRC): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles().map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));

function importsOf(text: string): string[] {
  return [...text.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1] ?? '');
}

describe('the walls of the design', () => {
  it('keeps the upstream path unable to unseal: nothing in upstream/ imports the vault or the keyring', () => {
    const offenders = files
      .filter((file) => file.path.startsWith('upstream/'))
      .filter((file) => importsOf(file.text).some((spec) => /privacy\/(vault|keyring|pseudonym|raw-identifier|normalize)/.test(spec)));
    expect(offenders.map((file) => file.path)).toEqual([]);
  });

  it('keeps stations away from identifiers and pseudonyms: stations/ imports no privacy, store or line module', () => {
    const offenders = files
      .filter((file) => file.path.startsWith('stations/'))
      .filter((file) => importsOf(file.text).some((spec) => /\/(privacy|store|line|upstream)\//.test(spec)));
    expect(offenders.map((file) => file.path)).toEqual([]);
  });

  it('lets only the intake adapters (and the vault, when unsealing) construct raw identifiers', () => {
    const constructing = files.filter((file) => /\bnormalize(PhoneNumber|IpAddress|EmailAddress)\(|RawIdentifier\.fromCanonical\(/.test(file.text));
    const allowed = /^(privacy\/(normalize|vault)\.ts|line\/|chat\/|mail\/|rights\/)/;
    expect(constructing.map((file) => file.path).filter((path) => !allowed.test(path))).toEqual([]);
  });

  it('reads the wall clock only in main.ts and the command line', () => {
    const offenders = files
      .filter((file) => !/^(main\.ts|cli\/)/.test(file.path))
      .filter((file) => /Date\.now\(\)|new Date\(\)|performance\.now\(\)/.test(file.text));
    expect(offenders.map((file) => file.path)).toEqual([]);
  });

  it('reveals the canonical text of an identifier only to the pseudonymizer, the vault, revealIdentifier in rights/ and the mail relay (which must address the answer)', () => {
    const revealing = files.filter((file) => /\bcanonicalText\(/.test(file.text)).map((file) => file.path);
    expect(revealing.filter((path) => !/^(privacy\/(raw-identifier|pseudonym|vault)|rights\/reveal-identifier|mail\/mail-relay|transcripts\/reveal-chat-address)\.ts$/.test(path))).toEqual([]);
  });

  it('keeps research exports away from the box\'s pseudonyms: research/ and its command import no keyring, pseudonym, vault or contact store', () => {
    const offenders = files
      .filter((file) => file.path.startsWith('research/') || file.path === 'cli/research-export.ts')
      .filter((file) => importsOf(file.text).some((spec) => /privacy\/(vault|keyring|pseudonym|raw-identifier|normalize)|store\/contacts-repository/.test(spec)));
    expect(offenders.map((file) => file.path)).toEqual([]);
  });

  it('makes the annual report from what was published only: report/ and its command import no registrations, aggregator or suppression', () => {
    const offenders = files
      .filter((file) => file.path.startsWith('report/') || file.path === 'cli/annual-report.ts')
      .filter((file) => importsOf(file.text).some((spec) => /store\/(registrations|contacts|stats)-repository|upstream\/(stats-aggregator|suppression)|\/privacy\/(?!types)/.test(spec)));
    expect(offenders.map((file) => file.path)).toEqual([]);
  });

  it('has no `any` in src/', () => {
    const offenders = files.filter((file) => /:\s*any\b|as any\b|<any>/.test(file.text)).map((file) => file.path);
    expect(offenders).toEqual([]);
  });
});
