import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The counts each fuzz file wrote (tests/fuzz/fuzz-budget.ts), as the table docs/resilience.md shows. */
interface SurfaceReport {
  readonly surface: string;
  readonly fuzzRuns: number;
  readonly inputs: number;
  readonly failedTargets: readonly string[];
  readonly slowestMs: number;
  readonly targets: Readonly<Record<string, unknown>>;
}

const directory = join(import.meta.dirname, '..', 'test-artifacts', 'fuzz');
const reports: SurfaceReport[] = existsSync(directory)
  ? readdirSync(directory).filter((name) => name.endsWith('.json')).sort().map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as SurfaceReport)
  : [];
if (reports.length === 0) {
  console.log('fuzz summary: no reports in test-artifacts/fuzz');
} else {
  const number = (value: number): string => value.toLocaleString('en-US');
  console.log('| surface | targets | inputs tried | failed targets | slowest input |');
  console.log('| --- | ---: | ---: | --- | ---: |');
  for (const report of reports) {
    console.log(`| ${report.surface} | ${Object.keys(report.targets).length} | ${number(report.inputs)} | ${report.failedTargets.length === 0 ? 'none' : report.failedTargets.join(', ')} | ${report.slowestMs} ms |`);
  }
  const total = reports.reduce((sum, report) => sum + report.inputs, 0);
  const failed = reports.reduce((sum, report) => sum + report.failedTargets.length, 0);
  console.log(`| **all** (FUZZ_RUNS=${reports[0]?.fuzzRuns ?? '?'}) | ${reports.reduce((sum, report) => sum + Object.keys(report.targets).length, 0)} | ${number(total)} | ${failed === 0 ? 'none' : failed} | ${Math.max(...reports.map((report) => report.slowestMs))} ms |`);
}
