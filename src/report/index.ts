export type { Figure } from './figure.js';
export { figureText, NO_FIGURE } from './figure.js';
export type { PublishedPeriod, PublishedRow } from './published-periods.js';
export { readPublishedPeriods } from './published-periods.js';
export type { AnnualReport, BreakdownFigures, MonthFigures, NoiseSummary, Ranked } from './annual-figures.js';
export { ANNUAL_REPORT_SCHEMA, buildAnnualReport, monthOfPeriod } from './annual-figures.js';
export { renderAnnualReportPage } from './annual-report-page.js';
