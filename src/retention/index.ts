export { LinkageSweeper, type LinkageSweeperOptions, type SweepResult } from './linkage-sweeper.js';
