/**
 * Retention and linkage rules per privacy statement (shared/seeds). A site picks a preset and may
 * override single keys; the overrides are validated against the same limits.
 */
export interface Policy {
  /** How long a phone number stays linkable (prior-contact count) and sealed: "6 maanden". */
  readonly phoneLinkageMonths: number;
  readonly phoneSealedMonths: number;
  /** NL: chat content 3 months, then anonymized; BE: at most 6 months. */
  readonly chatTranscriptMonths: number;
  /** Time Out length for a caller who misbehaves. */
  readonly timeOutHours: number;
  /** Block length set by an authorized person: "3 maanden". */
  readonly blockMonths: number;
  /**
   * Time Outs a caller must have had within the linkage window before a coordinator may block:
   * "Na meerdere Time Outs kun je voor 3 maanden geblokkeerd worden".
   */
  readonly timeOutsBeforeBlock: number;
  /** Smallest count published upstream; smaller non-zero cells are suppressed. */
  readonly suppressionThreshold: number;
  /**
   * Who may read a closed chat's transcript on the coordinator page: BE "enkel toegankelijk voor de
   * coördinatoren"; NL says nothing of readers, so coordinators too. Volunteers see only their own
   * chat while it runs.
   */
  readonly transcriptReaders: 'coordinators' | 'nobody';
  /** BE: "Enkel de coördinatoren ... kunnen dit na afloop van het chatgesprek zien"; NL: nobody sees it. */
  readonly chatIpVisibleToCoordinators: boolean;
  /** BE: fragments for training and feedback, anonymized and reviewed; NL makes no such promise. */
  readonly trainingFragments: boolean;
}

export type PolicyPresetName = 'allesoke-nl' | 'lumi-be';

export const policyPresets: Readonly<Record<PolicyPresetName, Policy>> = {
  'allesoke-nl': {
    phoneLinkageMonths: 6,
    phoneSealedMonths: 6,
    chatTranscriptMonths: 3,
    timeOutHours: 24,
    blockMonths: 3,
    timeOutsBeforeBlock: 3,
    suppressionThreshold: 10,
    transcriptReaders: 'coordinators',
    chatIpVisibleToCoordinators: false,
    trainingFragments: false,
  },
  'lumi-be': {
    phoneLinkageMonths: 6,
    phoneSealedMonths: 6,
    chatTranscriptMonths: 6,
    timeOutHours: 24,
    blockMonths: 3,
    timeOutsBeforeBlock: 3,
    suppressionThreshold: 10,
    transcriptReaders: 'coordinators',
    chatIpVisibleToCoordinators: true,
    trainingFragments: true,
  },
};
