import { dutchDateTime } from '../time/dutch-date-time.js';
import { localDateTime } from '../time/local-date-time.js';
import type { CollectorHealth } from './collector.js';
import { dailyChannelChart, escapeHtml, topTopicsChart } from './dashboard-charts.js';
import type { DashboardData, SiteSummary } from './dashboard-queries.js';

/**
 * The central office's dashboard page: every site's state and sequence health, registrations per
 * day per channel and the top topics over all sites. Plain HTML with inline SVG, Dutch labels, no
 * script; it reloads itself every minute.
 */
export interface DashboardView {
  readonly data: DashboardData | undefined;
  readonly health: CollectorHealth;
  readonly now: number;
  readonly timeZone: string;
  /** YYYY-MM-DD, oldest first. */
  readonly days: readonly string[];
}

export const DASHBOARD_CSS = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d1d1d; background: #fafafa; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
p.meta, p.note { color: #555; font-size: .85rem; margin: .25rem 0; }
table { border-collapse: collapse; background: #fff; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.state-online { color: #1b6e35; font-weight: 600; }
.state-offline { color: #a3261b; font-weight: 600; }
.state-unknown { color: #777; }
.warn { color: #a3261b; font-weight: 600; }
.health-down { background: #fde8e6; border: 1px solid #a3261b; padding: .5rem .75rem; }
svg.chart { background: #fff; border: 1px solid #ddd; max-width: 100%; height: auto; }
`;

const STATE_LABELS = { online: 'online', offline: 'offline' } as const;
const HEALTH_LABELS = { starting: 'wordt opgestart', up: 'bereikbaar', down: 'niet bereikbaar', paused: 'gepauzeerd (database niet bereikbaar)' } as const;
const REASON_LABELS: Readonly<Record<string, string>> = {
  'bad-topic': 'onbekend onderwerp (topic)',
  'too-large': 'te groot',
  'not-json': 'geen JSON',
  invalid: 'ongeldig bericht',
  'unknown-kind-refused': 'onbekende soort, niet bewaard',
  'seq-ahead': 'volgnummer te ver vooruit',
  'seq-conflict': 'ander bericht onder bestaand volgnummer',
  'store-refused': 'geweigerd door de database',
};

/** The `count` days up to and including the one holding `now`, in `timeZone`. */
export function dashboardDays(now: number, timeZone: string, count: number): string[] {
  const today = localDateTime(now, timeZone);
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day - (count - 1 - i)));
    return date.toISOString().slice(0, 10);
  });
}

function when(at: number | null, timeZone: string): string {
  return at === null ? '–' : escapeHtml(dutchDateTime(at, timeZone));
}

function siteRow(site: SiteSummary, timeZone: string): string {
  const state = site.state === null ? '<span class="state-unknown">onbekend</span>' : `<span class="state-${site.state}">${STATE_LABELS[site.state]}</span>`;
  const gaps = site.openGaps === 0 ? '0' : `<span class="warn">${site.openGaps} (${site.missing} ontbrekend)</span>`;
  return `<tr data-site="${escapeHtml(site.site)}">
<td>${escapeHtml(site.site)}</td><td>${state}</td><td>${when(site.stateAt, timeZone)}</td>
<td class="number">${site.highestSeq}</td><td>${when(site.lastMessageAt, timeZone)}</td>
<td class="number">${gaps}</td><td class="number">${site.duplicates}</td><td class="number">${site.quarantined}</td><td class="number">${site.unknownKind}</td></tr>`;
}

function sitesTable(sites: readonly SiteSummary[], timeZone: string): string {
  if (sites.length === 0) return '<p class="note">Nog geen locaties: er is nog geen bericht ontvangen.</p>';
  return `<table id="sites"><thead><tr><th>Locatie</th><th>Status</th><th>Status sinds</th><th>Laatste volgnummer</th><th>Laatste bericht</th><th>Open gaten</th><th>Dubbel ontvangen</th><th>In quarantaine</th><th>Onbekende soort</th></tr></thead>
<tbody>${sites.map((site) => siteRow(site, timeZone)).join('\n')}</tbody></table>`;
}

export function renderDashboard(view: DashboardView): string {
  const { data, health, timeZone, days } = view;
  const healthLine = `Database: ${HEALTH_LABELS[health.database]} · Broker: ${HEALTH_LABELS[health.broker]}`;
  const healthy = health.database === 'up' && health.broker === 'up';
  let body: string;
  if (!data) {
    body = '<p class="health-down">De gegevens kunnen nu niet worden gelezen: de database is niet bereikbaar.</p>';
  } else {
    const inWindow = data.perDay.filter((count) => days.includes(count.day));
    const quarantine = data.quarantineByReason.length === 0
      ? '<p class="note">Geen berichten in quarantaine.</p>'
      : `<table id="quarantine"><thead><tr><th>Reden</th><th>Aantal</th></tr></thead><tbody>${data.quarantineByReason
          .map((row) => `<tr><td>${escapeHtml(REASON_LABELS[row.reason] ?? row.reason)}</td><td class="number">${row.count}</td></tr>`)
          .join('')}</tbody></table>`;
    body = `
<h2>Locaties</h2>
${sitesTable(data.sites, timeZone)}
<p class="note">Een gat is een volgnummer dat ontbreekt onder het hoogste ontvangen nummer; het sluit zodra het bericht alsnog binnenkomt.</p>
<h2>Registraties per dag per kanaal (alle locaties, laatste ${days.length} dagen)</h2>
${dailyChannelChart(inWindow, days)}
<p class="note">Kleine aantallen worden op de box onderdrukt en zijn niet meegeteld: waar gearceerd is het werkelijke aantal hoger dan de balk.${data.withheld > 0 ? ` ${data.withheld} periode(s) zonder cijfers (privacybudget op).` : ''}</p>
<h2>Meest geregistreerde onderwerpen (alle locaties, laatste ${days.length} dagen)</h2>
${topTopicsChart(data.topTopics)}
<h2>Quarantaine</h2>
${quarantine}
<p class="note">Van een geweigerd bericht bewaart de collector alleen grootte, hash en de reden, nooit de inhoud.</p>`;
  }
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="60">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpline-statistieken: overzicht van alle locaties</title>
<link rel="stylesheet" href="dashboard.css">
</head>
<body>
<h1>Overzicht van alle locaties</h1>
<p class="meta${healthy ? '' : ' warn'}" id="health">${escapeHtml(healthLine)}</p>
<p class="meta">Bijgewerkt ${escapeHtml(dutchDateTime(view.now, timeZone))} (${escapeHtml(timeZone)}); de pagina ververst elke minuut.</p>
${body}
</body>
</html>`;
}
