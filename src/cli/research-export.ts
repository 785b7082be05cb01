import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditDetails, AuditRecord } from '../audit/audit-entry.js';
import { loadConfigFile } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { DATABASE_FILE, systemClock } from '../main.js';
import { buildResearchDataSet, cryptoRandom, type ResearchExportSummary } from '../research/index.js';
import { startOfLocalDate } from '../retention/retention-calendar.js';
import { GatewayDatabase } from '../store/open-database.js';
import { RegistrationsRepository } from '../store/registrations-repository.js';
import type { LocalDate } from '../time/local-date-time.js';
import { writeNewFile } from './export-file.js';

export interface ResearchExportCommand {
  readonly config: string;
  readonly dataDir?: string;
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly out: string;
  readonly recipient: string;
}

/** What marks an `export.written` entry as a research data set (a caller's access export has none). */
export const RESEARCH_EXPORT_KIND = 'research-data-set';

const dateText = (date: LocalDate): string => `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;

function auditDetails(command: ResearchExportCommand, summary: ResearchExportSummary): AuditDetails {
  return {
    kind: RESEARCH_EXPORT_KIND,
    from: dateText(command.from),
    to: dateText(command.to),
    recipient: command.recipient,
    k: summary.k,
    l: summary.l,
    recordsIn: summary.recordsIn,
    recordsOut: summary.recordsOut,
    suppressed: summary.suppressed,
    generalized: summary.generalized,
    classes: summary.classes,
    periodLevel: summary.levels.period ?? '',
    ageBandLevel: summary.levels.ageBand ?? '',
    channelLevel: summary.levels.channel ?? '',
    outcomeLevel: summary.levels.outcome ?? 'left out',
  };
}

/** Earlier research exports whose date range overlaps this one's (YYYY-MM-DD texts compare as dates). */
function overlappingExports(audit: AuditLog, from: string, to: string): AuditRecord[] {
  const found: AuditRecord[] = [];
  const PAGE = 500;
  for (let after = 0; ; ) {
    const page = audit.entries(after, PAGE);
    for (const entry of page) {
      const { kind, from: otherFrom, to: otherTo } = entry.details;
      if (entry.action === 'export.written' && kind === RESEARCH_EXPORT_KIND && typeof otherFrom === 'string' && typeof otherTo === 'string' && otherFrom <= to && otherTo >= from) found.push(entry);
    }
    if (page.length < PAGE) return found;
    after = page[page.length - 1]?.seq ?? after;
  }
}

const count = (n: number): string => n.toLocaleString('en-GB');

function describe(command: ResearchExportCommand, out: string, summary: ResearchExportSummary, seq: number, earlier: readonly AuditRecord[]): string[] {
  const share = summary.recordsIn === 0 ? 0 : (100 * summary.suppressed) / summary.recordsIn;
  const lines = [
    `wrote ${out}: ${count(summary.recordsOut)} records from ${count(summary.recordsIn)} registrations, ${dateText(command.from)} to ${dateText(command.to)}`,
    `k-anonymity k=${summary.k}, distinct l-diversity l=${summary.l} on topic: ${count(summary.classes)} classes, the smallest ${count(summary.smallestClass)} records`,
    `generalized: period ${summary.levels.period}, age band ${summary.levels.ageBand} (${summary.ageBandsWritten.join(', ')}), channel ${summary.levels.channel}, outcome ${summary.levels.outcome ?? 'left out'}; ${count(summary.generalized)} records written coarser than registered`,
    `suppressed: ${count(summary.suppressed)} records (${share.toFixed(1)}%) in classes below k or l${summary.withinSuppressionLimit ? '' : '; more than research.maxSuppressionPercent, even at the coarsest levels'}`,
    `audit entry #${seq}: export.written for ${JSON.stringify(command.recipient)}`,
  ];
  if (earlier.length > 0) {
    const list = earlier.map((entry) => `#${entry.seq} ${String(entry.details.from)} to ${String(entry.details.to)} for ${JSON.stringify(entry.details.recipient)}`).join('; ');
    lines.push(`note: ${earlier.length} earlier research export(s) cover part of this range (${list}); k-anonymity does not hold across overlapping exports given to the same people (docs/research-export.md)`);
  }
  return lines;
}

/**
 * `export research`: a k-anonymous, l-diverse CSV of the registrations in a date range (P12), for
 * one named recipient, audited. Reads the registrations table only: no contact, no pseudonym, no
 * keyring is opened. The service holds the database: stop it first.
 */
export async function researchExport(command: ResearchExportCommand, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  const out = resolve(command.out);
  if (existsSync(out)) throw new GatewayError('HGW_EXPORT_EXISTS', `${out} already exists; nothing was written (choose a new file name)`);
  const timeZone = config.site.timeZone;
  const start = startOfLocalDate(command.from, timeZone);
  const end = startOfLocalDate({ ...command.to, day: command.to.day + 1 }, timeZone);
  const database = GatewayDatabase.open({ path: join(config.dataDir, DATABASE_FILE), logger: silentLogger() });
  try {
    const registrations = new RegistrationsRepository(database).occurredBetween(start, end);
    if (registrations.length === 0) throw new GatewayError('HGW_RESEARCH_NO_RECORDS', `no registrations from ${dateText(command.from)} to ${dateText(command.to)}; nothing was written`);
    const audit = new AuditLog({ database, clock: systemClock });
    const earlier = overlappingExports(audit, dateText(command.from), dateText(command.to));
    const { csv, summary } = buildResearchDataSet({ registrations, categories: config.categories, timeZone, settings: config.research }, cryptoRandom);
    let written = false;
    let seq = 0;
    try {
      // The entry commits only if the file was written; a failed commit takes the file back.
      database.transaction(() => {
        seq = audit.append({ actorRole: 'system', actorId: 'command-line', action: 'export.written', details: auditDetails(command, summary) }).seq;
        writeNewFile(out, csv, 0o600);
        written = true;
      });
    } catch (error) {
      // Written but not audited: the file must not stay.
      if (written) rmSync(out, { force: true });
      throw error;
    }
    for (const line of describe(command, out, summary, seq, earlier)) say(line);
    return 0;
  } finally {
    database.close();
  }
}
