export type { Clock } from './clock.js';
export { ManualClock } from './clock.js';
export type { MonthEpoch } from './month-epoch.js';
export { monthEpochAt, monthEpochLookup, asMonthEpoch, isMonthEpoch, shiftMonthEpoch, windowEndingAt } from './month-epoch.js';
export { ManualScheduler, timerScheduler, type Scheduler } from './scheduler.js';
