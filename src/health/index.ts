export { FaultRegister, FAULT_CODES, faultStopsIntake, type FaultCode, type FaultRegisterOptions, type IntakeGate } from './faults.js';
export { DiskSpaceWatch, type DiskSpace, type DiskSpaceWatchOptions, type FileSystemStats } from './disk-space-watch.js';
export { StoreFaultWatch, type StoreFaultWatchOptions } from './store-fault-watch.js';
export { refusesWrites } from './read-only-check.js';
export { healthReport, type HealthReport, type HealthSources, type RetentionRun, type UpdateHealth } from './health-report.js';
