import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { DATABASE_FILE } from '../main.js';
import { buildAnnualReport, figureText, readPublishedPeriods, renderAnnualReportPage } from '../report/index.js';
import { startOfLocalYear } from '../retention/retention-calendar.js';
import { GatewayDatabase } from '../store/open-database.js';
import { PublishedStatsReader } from '../store/published-stats-reading.js';
import { replaceFile } from './export-file.js';

export interface AnnualReportCommand {
  readonly config: string;
  readonly dataDir?: string;
  readonly year: number;
  readonly out: string;
}

/**
 * `report annual --year YYYY`: the annual report (P11) as HTML and JSON, made from the statistics
 * the box published (`published_stats`) and nothing else. A report made again later in the year
 * replaces the earlier one. The service holds the database: stop it first.
 */
export async function annualReport(command: AnnualReportCommand, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  const timeZone = config.site.timeZone;
  const database = GatewayDatabase.open({ path: join(config.dataDir, DATABASE_FILE), logger: silentLogger() });
  let rows;
  try {
    rows = new PublishedStatsReader(database).overlapping(startOfLocalYear(command.year, timeZone), startOfLocalYear(command.year + 1, timeZone));
  } finally {
    database.close();
  }
  const report = buildAnnualReport(readPublishedPeriods(rows), command.year, timeZone);
  if (report.coverage.periods === 0) throw new GatewayError('HGW_REPORT_NO_STATISTICS', `no statistics were published for ${command.year}; nothing was written`);
  const directory = resolve(command.out);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new GatewayError('HGW_EXPORT_UNWRITABLE', `${directory}: cannot make the directory (${(error as NodeJS.ErrnoException).code ?? 'error'}); nothing was written`, { cause: error });
  }
  const html = join(directory, `annual-report-${command.year}.html`);
  const json = join(directory, `annual-report-${command.year}.json`);
  replaceFile(json, `${JSON.stringify(report, null, 2)}\n`, 0o600);
  replaceFile(html, renderAnnualReportPage(report), 0o600);
  const top = report.topics[0];
  say(`wrote ${html} and ${json}`);
  say(
    `${report.coverage.periods} periods (${report.coverage.withheld} withheld) from ${report.coverage.from ?? ''} to ${report.coverage.to ?? ''}; ` +
      `contacts ${figureText(report.total)}; top theme ${top ? `${top.name} ${figureText(top.total)}` : 'none'}`,
  );
  return 0;
}
