/**
 * The central office's PostgreSQL schema, as forward-only numbered migrations (like the box's own
 * store): `collector_schema.version` is the number of the last one applied. Never edit a migration
 * that has shipped: add the next one. docs/collector.md describes every table.
 *
 * Nothing here can hold personal data: the box sends only validated aggregates, and a payload that
 * fails validation is kept as its size, hash and error paths only (quarantine), never its content.
 */
export interface CollectorMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const collectorMigrations: readonly CollectorMigration[] = [
  {
    version: 1,
    description: 'sites, messages, stats and incident counts, status history, gaps, quarantine, unknown kinds',
    sql: `
      CREATE TABLE sites (
        site text PRIMARY KEY,
        first_seen_at timestamptz NOT NULL,
        last_message_at timestamptz,
        highest_seq bigint NOT NULL DEFAULT 0,
        messages bigint NOT NULL DEFAULT 0,
        duplicates bigint NOT NULL DEFAULT 0,
        conflicts bigint NOT NULL DEFAULT 0,
        late_arrivals bigint NOT NULL DEFAULT 0,
        quarantined bigint NOT NULL DEFAULT 0,
        unknown_kind bigint NOT NULL DEFAULT 0,
        status_state text CHECK (status_state IN ('online', 'offline')),
        status_session uuid,
        status_firmware text,
        status_at timestamptz,
        status_received_at timestamptz
      );

      CREATE TABLE messages (
        id bigserial PRIMARY KEY,
        site text NOT NULL REFERENCES sites (site),
        seq bigint NOT NULL CHECK (seq > 0),
        session uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('stats', 'incident')),
        schema text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        period_length text NOT NULL,
        received_at timestamptz NOT NULL,
        sha256 bytea NOT NULL,
        payload jsonb NOT NULL,
        UNIQUE (site, seq)
      );
      CREATE INDEX messages_by_period ON messages (period_start, site);

      CREATE TABLE stats_releases (
        message_id bigint PRIMARY KEY REFERENCES messages (id),
        site text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        threshold integer NOT NULL,
        withheld text
      );

      -- Cells and margins without their zeros: a stored message's missing combination is a 0.
      -- A NULL count was suppressed on the box (1 .. threshold - 1, or hidden to protect one that was).
      CREATE TABLE stats_counts (
        message_id bigint NOT NULL REFERENCES messages (id),
        site text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        channel text NOT NULL,
        topic text NOT NULL,
        age_band text NOT NULL,
        outcome text NOT NULL,
        count integer CHECK (count > 0),
        PRIMARY KEY (message_id, channel, topic, age_band, outcome)
      );
      CREATE INDEX stats_counts_by_period ON stats_counts (period_start);

      CREATE TABLE stats_margins (
        message_id bigint NOT NULL REFERENCES messages (id),
        site text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        margin text NOT NULL,
        channel text,
        topic text,
        age_band text,
        outcome text,
        count integer CHECK (count > 0)
      );
      CREATE INDEX stats_margins_by_margin ON stats_margins (margin, period_start);

      CREATE TABLE incident_periods (
        message_id bigint PRIMARY KEY REFERENCES messages (id),
        site text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        open integer NOT NULL,
        overdue_unreported integer NOT NULL
      );

      CREATE TABLE incident_counts (
        message_id bigint NOT NULL REFERENCES messages (id),
        site text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        dimension text NOT NULL CHECK (dimension IN ('kind', 'severity')),
        category text NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (message_id, dimension, category)
      );

      CREATE TABLE status_events (
        id bigserial PRIMARY KEY,
        site text NOT NULL REFERENCES sites (site),
        session uuid NOT NULL,
        state text NOT NULL CHECK (state IN ('online', 'offline')),
        firmware text NOT NULL,
        at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        retained boolean NOT NULL,
        UNIQUE (site, session, state, at)
      );

      -- Sequence numbers missing below a site's highest: open until the message arrives late
      -- (the range shrinks or splits; 'filled' when nothing is left), or explained by the box as
      -- dropped from its outbox ('dropped-by-box'; the reason says why).
      CREATE TABLE gaps (
        id bigserial PRIMARY KEY,
        site text NOT NULL REFERENCES sites (site),
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'filled', 'dropped-by-box')),
        reason text,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        CHECK (0 < first_seq AND first_seq <= last_seq)
      );
      CREATE INDEX gaps_open ON gaps (site, first_seq) WHERE state = 'open';

      -- Payloads refused: never their content (it may be exactly what must not be kept).
      CREATE TABLE quarantine (
        id bigserial PRIMARY KEY,
        received_at timestamptz NOT NULL,
        site text,
        kind text,
        topic text,
        seq bigint,
        size_bytes integer NOT NULL,
        sha256 bytea NOT NULL,
        reason text NOT NULL,
        error text
      );

      -- Topic kinds this collector does not know yet (a newer box): kept as sent, once per content.
      CREATE TABLE unknown_messages (
        id bigserial PRIMARY KEY,
        site text NOT NULL REFERENCES sites (site),
        kind text NOT NULL,
        first_received_at timestamptz NOT NULL,
        receipts integer NOT NULL DEFAULT 1,
        size_bytes integer NOT NULL,
        sha256 bytea NOT NULL,
        payload jsonb NOT NULL,
        UNIQUE (site, kind, sha256)
      );
    `,
  },
  {
    version: 2,
    description: 'birth messages and the seq ranges boxes report dropped by their outbox cap',
    sql: `
      -- One row per birth (a box's (re)connect): its firmware and outbox report, counts only.
      CREATE TABLE birth_events (
        id bigserial PRIMARY KEY,
        site text NOT NULL REFERENCES sites (site),
        session text NOT NULL,
        firmware text NOT NULL,
        at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        waiting integer NOT NULL,
        last_seq bigint NOT NULL,
        dropped integer NOT NULL,
        UNIQUE (site, session, at)
      );

      -- What the boxes said they dropped: a gap inside one of these is 'dropped-by-box', not lost.
      CREATE TABLE dropped_ranges (
        site text NOT NULL REFERENCES sites (site),
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        reported_at timestamptz NOT NULL,
        PRIMARY KEY (site, first_seq, last_seq),
        CHECK (0 < first_seq AND first_seq <= last_seq)
      );
    `,
  },
];
