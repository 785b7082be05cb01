import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The counts the crash suite, the fault suite and the fuzz files wrote to test-artifacts/ (the
 * table "The last full run" in docs/resilience.md shows): kills, faults injected, fuzz inputs
 * tried, records lost. `npm run soak` prints it at the end.
 */
interface CrashCounts {
  readonly kills: number;
  readonly killedBeforeReady: number;
  readonly contacts: number;
  readonly registrations: number;
  readonly closedPeriods: number;
  readonly identifierSightings: number;
  readonly integrity: string;
  readonly recordsLost: number;
  readonly seed: number;
}

interface FaultCounts {
  readonly soak: boolean;
  readonly totals: { readonly faultsInjected: number; readonly recordsLost: number };
  readonly faults: Readonly<Record<string, { readonly injected: number; readonly recordsBefore: number; readonly recordsAfter: number; readonly recordsLost: number }>>;
}

const artifacts = join(import.meta.dirname, '..', 'test-artifacts');
const read = <T,>(name: string): T | undefined => (existsSync(join(artifacts, name)) ? (JSON.parse(readFileSync(join(artifacts, name), 'utf8')) as T) : undefined);
const number = (value: number): string => value.toLocaleString('en-US');

const crash = read<CrashCounts>('resilience-crash.json');
const faults = read<FaultCounts>('resilience-faults.json');
const fuzzDirectory = join(artifacts, 'fuzz');
const fuzz = existsSync(fuzzDirectory)
  ? readdirSync(fuzzDirectory)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(fuzzDirectory, name), 'utf8')) as { inputs: number; failedTargets: readonly string[] })
  : [];

if (faults) {
  console.log('| fault | injected | records before | records after | records lost |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, fault] of Object.entries(faults.faults).sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`| ${name} | ${number(fault.injected)} | ${number(fault.recordsBefore)} | ${number(fault.recordsAfter)} | ${fault.recordsLost} |`);
  }
  console.log('');
}
// The fuzzers that store (the SMTP intake) assert that what was stored is what was acknowledged.
const fuzzFailed = fuzz.reduce((sum, report) => sum + report.failedTargets.length, 0);
const crashLost = crash?.recordsLost ?? 0;
const faultLost = faults?.totals.recordsLost ?? 0;
console.log('| suite | count | records lost |');
console.log('| --- | --- | ---: |');
console.log(
  crash
    ? `| crash | ${number(crash.kills)} kills (${crash.killedBeforeReady} while starting); ${number(crash.contacts)} contacts, ${number(crash.registrations)} registrations, ${number(crash.closedPeriods)} closed periods; integrity_check ${crash.integrity}; identifiers on disk: ${crash.identifierSightings}; seed ${crash.seed} | ${crashLost} |`
    : '| crash | no counts (test-artifacts/resilience-crash.json) | |',
);
console.log(faults ? `| fault | ${number(faults.totals.faultsInjected)} faults injected over ${Object.keys(faults.faults).length} kinds | ${faultLost} |` : '| fault | no counts (test-artifacts/resilience-faults.json) | |');
console.log(
  fuzz.length > 0
    ? `| fuzz | ${number(fuzz.reduce((sum, report) => sum + report.inputs, 0))} inputs tried over ${fuzz.length} surfaces; failed targets: ${fuzzFailed} | ${fuzzFailed === 0 ? '0' : 'see the failed targets'} |`
    : '| fuzz | no counts (test-artifacts/fuzz/) | |',
);
