import { createHash } from 'node:crypto';
import { localDateTime } from '../time/local-date-time.js';
import type { PeriodLength } from '../upstream/period-calendar.js';
import type { AnnualReport, BreakdownFigures, Ranked } from './annual-figures.js';
import { figureText, type Figure } from './figure.js';
import { escapeHtml } from './html-text.js';
import { barChart, columnChart } from './svg-charts.js';

const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
const SHORT_MONTHS = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
const CHANNEL_NAMES: Readonly<Record<string, string>> = { phone: 'telefoon', chat: 'chat', mail: 'mail' };
const PERIOD_NAMES: Readonly<Record<PeriodLength, string>> = { minute: 'minuut', hour: 'uur', day: 'dag', week: 'week', month: 'maand' };
/** How many themes per channel, age band and month the summary tables name. */
const TOP = 3;

const STYLE = [
  'body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}',
  'h1{font-size:1.8rem;margin-bottom:0.25rem}',
  'h2{border-top:2px solid #1a1a1a;padding-top:0.75rem;margin-top:2rem}',
  '.en{color:#555;font-weight:normal;font-size:0.8em}',
  '.total{font-size:2.2rem;font-weight:700;margin:0.25rem 0}',
  'figure{margin:1rem 0}',
  'figcaption{font-size:0.9rem;color:#444}',
  '.chart{max-width:100%;height:auto}',
  'table{border-collapse:collapse;margin:0.5rem 0 1rem;font-size:0.92rem}',
  'th,td{border:1px solid #aaa;padding:0.2rem 0.5rem;text-align:left;vertical-align:top}',
  'td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}',
  'th{background:#eef2f6;font-weight:600}',
  '.wide{overflow-x:auto}',
  '.key{display:inline-block;width:0.9em;height:0.9em;vertical-align:-0.1em;margin-right:0.3em}',
  '.key.exact{background:#1f5f99}.key.lower{background:#8fb3d9}',
  'footer{margin-top:2rem;font-size:0.85rem;color:#444}',
  '@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}',
].join('');

/** The page's own policy: nothing may load or run; only the one style element above, by its hash. */
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;

const category = (code: string): string => (code === 'other' ? 'overig' : code);
const channelName = (code: string): string => CHANNEL_NAMES[code] ?? code;

function dutchDate(at: number, timeZone: string): string {
  const local = localDateTime(at, timeZone);
  return `${local.day} ${MONTHS[local.month - 1] ?? ''} ${local.year}`;
}

function table(headings: readonly string[], rows: ReadonlyArray<ReadonlyArray<{ text: string; number?: boolean }>>, caption: string): string {
  const head = `<tr>${headings.map((heading) => `<th scope="col">${escapeHtml(heading)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell.text)}</th>` : `<td${cell.number ? ' class="n"' : ''}>${escapeHtml(cell.text)}</td>`)).join('')}</tr>`)
    .join('');
  return `<div class="wide"><table><caption>${escapeHtml(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

const numberCell = (total: Figure | null): { text: string; number: boolean } => ({ text: figureText(total), number: true });

function describeRanking(items: readonly Ranked[], name: (code: string) => string): string {
  return items.map((item) => `${name(item.name)}: ${figureText(item.total)}`).join('; ');
}

function topThemes(topics: readonly Ranked[]): string {
  const known = topics.filter((topic) => topic.total.count > 0).slice(0, TOP);
  return known.length === 0 ? '–' : known.map((topic) => `${category(topic.name)} (${figureText(topic.total)})`).join(', ');
}

function sourceSection(report: AnnualReport): string {
  const { coverage, disclosure } = report;
  const lengths = coverage.lengths.map((length) => PERIOD_NAMES[length]).join(', ');
  const from = coverage.from ? dutchDate(Date.parse(coverage.from), report.timeZone) : '';
  const through = coverage.to ? dutchDate(Date.parse(coverage.to) - 1, report.timeZone) : '';
  const thresholds = disclosure.thresholds.map((threshold) => `1 tot en met ${threshold - 1}`).join(' of ');
  const points = [
    `<li><span class="key exact"></span>Een getal zonder teken is de som van de gepubliceerde aantallen. <span class="key lower"></span>„≥ N” betekent ten minste N: een of meer aantallen die erin horen zijn niet gepubliceerd. „onderdrukt”: alles wat ervan gepubliceerd is, is onderdrukt.</li>`,
    `<li>Onderdrukt: aantallen van ${thresholds} zijn niet gepubliceerd, en soms ook een groter aantal, zodat zo'n klein aantal niet terug te rekenen is. Hoe klein een onderdrukt aantal was, zegt dit verslag dus niet.</li>`,
    disclosure.contributionCaps.some((cap) => cap !== null)
      ? `<li>Per beller telden ten hoogste ${disclosure.contributionCaps.filter((cap) => cap !== null).join(' of ')} registraties per periode mee${disclosure.contributionCaps.includes(null) ? ' (in sommige perioden zonder grens)' : ''}.</li>`
      : '<li>Er gold geen grens op het aantal registraties per beller per periode.</li>',
  ];
  if (coverage.withheld > 0) points.push(`<li>Achtergehouden: van ${coverage.withheld} ${coverage.withheld === 1 ? 'periode is' : 'perioden is'} niets gepubliceerd, omdat het privacybudget van het jaar op was. Sommen waar die perioden in horen staan er als „≥”.</li>`);
  if (disclosure.noise) {
    const epsilon = disclosure.noise.epsilonMin === disclosure.noise.epsilonMax ? `${disclosure.noise.epsilonMin}` : `${disclosure.noise.epsilonMin} tot ${disclosure.noise.epsilonMax}`;
    const budget = disclosure.noise.budgetSpent === null ? '' : ` Privacybudget van ${report.year}: ${disclosure.noise.budgetSpent} van ${disclosure.noise.budgetTotal} besteed.`;
    points.push(`<li>Ruis: aan de aantallen van ${disclosure.noise.periods} ${disclosure.noise.periods === 1 ? 'periode' : 'perioden'} is willekeurige ruis toegevoegd (discrete Laplace, ε ${epsilon} per periode). Die aantallen, en de sommen ervan, zijn benaderingen.${budget}</li>`);
  }
  if (coverage.lengths.includes('week')) points.push('<li>Een week die in twee maanden valt, telt mee in de maand waarin de meeste dagen vallen (die van de donderdag), en in het jaar van die donderdag.</li>');
  points.push(`<li>Maanden en data in de tijdzone van de locatie (${escapeHtml(report.timeZone)}).</li>`);
  return (
    `<section id="bron"><h2>Waar de cijfers vandaan komen <span class="en">/ Source</span></h2>` +
    `<p>Alleen uit de statistieken die de box naar het landelijk bureau heeft gepubliceerd: ${coverage.periods} ${coverage.periods === 1 ? 'periode' : 'perioden'} (per ${escapeHtml(lengths)}), van ${escapeHtml(from)} tot en met ${escapeHtml(through)}. Niet uit de registraties zelf of uit andere gegevens.</p>` +
    `<ul>${points.join('')}</ul></section>`
  );
}

function themesSection(report: AnnualReport): string {
  const chart = barChart(
    { id: 'chart-themes', title: `Thema's ${report.year}, meest besproken eerst`, description: `Staafdiagram. ${describeRanking(report.topics, category)}.` },
    report.topics.map((topic) => ({ label: category(topic.name), total: topic.total })),
  );
  const rows = report.topics.map((topic, i) => [{ text: `${i + 1}. ${category(topic.name)}` }, numberCell(topic.total)]);
  return (
    `<section id="themas"><h2>Thema's die het meest aan bod kwamen <span class="en">/ Top themes</span></h2>` +
    `<figure>${chart}<figcaption>Contacten per thema in ${report.year}.</figcaption></figure>` +
    `${table(['Thema', 'Contacten'], rows, `Contacten per thema in ${report.year}`)}</section>`
  );
}

function breakdownSection(report: AnnualReport, options: { id: string; heading: string; english: string; what: string; name: (code: string) => string; items: readonly BreakdownFigures[]; note: string }): string {
  const chart = barChart(
    { id: `chart-${options.id}`, title: `Contacten ${options.what} in ${report.year}`, description: `Staafdiagram. ${describeRanking(options.items, options.name)}.` },
    options.items.map((item) => ({ label: options.name(item.name), total: item.total })),
  );
  const summary = table(
    [options.heading, 'Contacten', `Meest besproken thema's`],
    options.items.map((item) => [{ text: options.name(item.name) }, numberCell(item.total), { text: topThemes(item.topics) }]),
    `Contacten en de meest besproken thema's ${options.what}`,
  );
  const topics = report.topics.map((topic) => topic.name);
  const matrix = table(
    ['Thema', ...options.items.map((item) => options.name(item.name))],
    topics.map((topic) => [{ text: category(topic) }, ...options.items.map((item) => numberCell(item.topics.find((entry) => entry.name === topic)?.total ?? null))]),
    `Contacten per thema, ${options.what}`,
  );
  return (
    `<section id="${options.id}"><h2>${escapeHtml(options.heading)} <span class="en">/ ${escapeHtml(options.english)}</span></h2>` +
    `<figure>${chart}<figcaption>Contacten ${escapeHtml(options.what)} in ${report.year}. ${escapeHtml(options.note)}</figcaption></figure>${summary}${matrix}</section>`
  );
}

function monthsSection(report: AnnualReport): string {
  const chart = columnChart(
    {
      id: 'chart-months',
      title: `Contacten per maand in ${report.year}`,
      description: `Kolommendiagram. ${report.months.map((month, i) => `${MONTHS[i]}: ${figureText(month.total)}`).join('; ')}.`,
    },
    report.months.map((month, i) => ({ label: SHORT_MONTHS[i] ?? month.month, total: month.total })),
  );
  const channels = ['phone', 'chat', 'mail'];
  const rows = report.months.map((month, i) => [
    { text: MONTHS[i] ?? month.month },
    { text: month.periods === 0 ? '0' : month.withheld > 0 ? `${month.periods} (${month.withheld} achtergehouden)` : `${month.periods}`, number: true },
    numberCell(month.total),
    ...channels.map((channel) => numberCell(month.periods === 0 ? null : (month.channels.find((entry) => entry.name === channel)?.total ?? null))),
    { text: month.periods === 0 ? '–' : topThemes(month.topics) },
  ]);
  const topics = report.topics.map((topic) => topic.name);
  const matrix = table(
    ['Maand', ...topics.map(category)],
    report.months.map((month, i) => [{ text: MONTHS[i] ?? month.month }, ...topics.map((topic) => numberCell(month.periods === 0 ? null : (month.topics.find((entry) => entry.name === topic)?.total ?? null)))]),
    `Contacten per thema per maand in ${report.year}`,
  );
  return (
    `<section id="maanden"><h2>Per maand <span class="en">/ By month</span></h2>` +
    `<figure>${chart}<figcaption>Contacten per maand in ${report.year}; „–”: geen gepubliceerde periode in die maand.</figcaption></figure>` +
    `${table(['Maand', 'Perioden', 'Contacten', ...channels.map(channelName), `Meest besproken thema's`], rows, `Contacten per maand en per kanaal in ${report.year}`)}` +
    `<h3>Thema's per maand</h3>${matrix}</section>`
  );
}

/**
 * The annual report as one HTML page in Dutch: no script, no external resource, one style element
 * allowed by its hash, charts as inline SVG each with a table of the same numbers. Every number on
 * it comes from `AnnualReport`, which is made from the published statistics alone.
 */
export function renderAnnualReportPage(report: AnnualReport): string {
  const seqs = report.coverage.seqs;
  const seqText = seqs.length === 0 ? '' : `${Math.min(...seqs)} tot en met ${Math.max(...seqs)}`;
  const body = [
    `<header><h1>Jaarverslag ${report.year} <span class="en">/ Annual report</span></h1>`,
    `<p>Contacten met de hulplijn op locatie <strong>${escapeHtml(report.site)}</strong> in ${report.year}: de thema's die het meest aan bod kwamen, per kanaal, per leeftijdsgroep en per maand.</p></header>`,
    `<section id="totaal"><h2>Contacten in ${report.year} <span class="en">/ Contacts</span></h2><p class="total">${escapeHtml(figureText(report.total))}</p></section>`,
    themesSection(report),
    breakdownSection(report, { id: 'kanalen', heading: 'Per kanaal', english: 'By channel', what: 'per kanaal', name: channelName, items: report.channels, note: '' }),
    breakdownSection(report, {
      id: 'leeftijd',
      heading: 'Per leeftijdsgroep',
      english: 'By age band',
      what: 'per leeftijdsgroep',
      name: category,
      items: report.ageBands,
      note: 'Per leeftijdsgroep is het totaal de som over de drie kanalen.',
    }),
    monthsSection(report),
    sourceSection(report),
    `<footer>Gemaakt door helpline-gateway uit de gepubliceerde statistiekberichten (helpline.stats/2)${seqText ? ` met volgnummers ${seqText}` : ''}. Dezelfde cijfers staan in annual-report-${report.year}.json.</footer>`,
  ];
  return `<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jaarverslag ${report.year} – ${escapeHtml(report.site)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
