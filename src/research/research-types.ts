import type { Channel } from '../privacy/types.js';

/**
 * One registration as the research export reads it: the stored row's id (used only to mint the
 * export's own record id, never written) and its anonymized fields. Registrations hold no
 * identifier and no free text (P11), so neither can reach a data set.
 */
export interface SourceRegistration {
  readonly id: number;
  readonly occurredAt: number;
  readonly channel: Channel;
  readonly ageBand: string;
  readonly topic: string;
  readonly outcome: string;
}

/** The generalized attributes an attacker could know from elsewhere; topic is the sensitive one. */
export const QUASI_IDENTIFIERS = ['period', 'ageBand', 'channel', 'outcome'] as const;
export type QuasiIdentifier = (typeof QUASI_IDENTIFIERS)[number];

/** The config's `research` section, as the core needs it. */
export interface ResearchSettings {
  /** Every published equivalence class holds at least k records. */
  readonly k: number;
  /** Every published equivalence class holds at least l distinct topics (distinct l-diversity). */
  readonly l: number;
  /** Generalize further rather than suppress more than this share of the records (0–100). */
  readonly maxSuppressionPercent: number;
  /** Whether the outcome is a column (and so a quasi-identifier). */
  readonly includeOutcome: boolean;
}

/** The fixed lists the registrations were made with; a value outside them is read as `other`. */
export interface ResearchCategories {
  readonly topics: readonly string[];
  readonly ageBands: readonly string[];
  readonly outcomes: readonly string[];
}
