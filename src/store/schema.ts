/**
 * Forward-only numbered migrations. The database's `PRAGMA user_version` is the number of the last
 * one applied. Never edit a migration that has shipped: add the next one.
 *
 * No column holds a raw identifier: a contact has a pseudonym (HMAC under its month's link key) and
 * a sealed copy (secretbox under its month's vault key), both nulled when their month is shredded.
 * Every index costs a page write in each durable insert, so there is none on the month columns:
 * the sweeper walks the table in id ranges once a month instead.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'contacts, registrations, upstream outbox, closed stats periods, meta',
    sql: `
      CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL CHECK (channel IN ('phone', 'chat', 'mail')),
        presentation TEXT NOT NULL CHECK (presentation IN ('number', 'withheld', 'unavailable', 'invalid', 'unknown')),
        link_epoch TEXT,
        pseudonym BLOB CHECK (pseudonym IS NULL OR length(pseudonym) = 16),
        sealed_epoch TEXT,
        sealed_identifier BLOB,
        prior_contacts INTEGER NOT NULL DEFAULT 0,
        opened_at INTEGER NOT NULL,
        ended_at INTEGER,
        state TEXT NOT NULL CHECK (state IN ('offered', 'live', 'ended', 'registered'))
      );
      CREATE INDEX contacts_by_pseudonym ON contacts (pseudonym) WHERE pseudonym IS NOT NULL;

      CREATE TABLE registrations (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER UNIQUE REFERENCES contacts (id) ON DELETE SET NULL,
        channel TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        age_band TEXT NOT NULL,
        topic TEXT NOT NULL,
        outcome TEXT NOT NULL,
        registered_at INTEGER NOT NULL
      );
      CREATE INDEX registrations_by_occurred_at ON registrations (occurred_at);

      CREATE TABLE stats_periods (
        period_start INTEGER PRIMARY KEY,
        period_end INTEGER NOT NULL,
        closed_at INTEGER NOT NULL
      );

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL DEFAULT 1,
        retain INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'hash-chained audit log, incident register, local accounts and sessions',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_role TEXT NOT NULL CHECK (actor_role IN ('volunteer', 'supervisor', 'coordinator', 'technician', 'system')),
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        details TEXT NOT NULL,
        prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
        hash BLOB NOT NULL CHECK (length(hash) = 32)
      );

      CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        summary TEXT NOT NULL,
        detected_at INTEGER NOT NULL,
        assessment TEXT,
        reported_to_authority_at INTEGER,
        notified_persons_at INTEGER,
        closed_at INTEGER
      );
      CREATE INDEX incidents_open ON incidents (detected_at) WHERE closed_at IS NULL;

      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('volunteer', 'supervisor', 'coordinator', 'technician')),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled_at INTEGER
      );

      CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_account ON sessions (account_id);
    `,
  },
  {
    version: 3,
    description: 'break-glass disclosure requests',
    // The reason stays here, never in the audit log; a request is decided once (approved or refused).
    sql: `
      CREATE TABLE disclosure_requests (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts (id),
        requested_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        approved_by TEXT,
        approved_at INTEGER,
        refused_by TEXT,
        refused_at INTEGER,
        CHECK (approved_by IS NULL OR approved_by <> requested_by),
        CHECK (approved_by IS NULL OR refused_by IS NULL)
      );
    `,
  },
  {
    version: 4,
    description: 'drop the unused pseudonym index; chat transcript lines sealed per month',
    // The prior-contact count lives in memory now, so nothing reads contacts_by_pseudonym; each
    // retention range that nulled its pseudonyms rewrote thousands of its leaf pages in one
    // transaction (a 1.2 s stall at 2,000,000 contacts). Transcript text is sealed under the
    // month's chat-transcript vault key, so shredding that key ends it even where a page survives.
    sql: `
      DROP INDEX contacts_by_pseudonym;

      CREATE TABLE transcript_lines (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        author TEXT NOT NULL CHECK (author IN ('caller', 'volunteer')),
        written_at INTEGER NOT NULL,
        sealed_epoch TEXT NOT NULL,
        sealed_text BLOB,
        redacted_at INTEGER
      );
      CREATE INDEX transcript_lines_by_contact ON transcript_lines (contact_id);
    `,
  },
  {
    version: 5,
    description: "callers' requests (access, erasure, objection) and objections",
    // The identifier a person supplies is never stored: a request keeps its pseudonyms under the
    // link keys live at registration (or the contact a kept reference named), and those rows go
    // when their month is shredded. `matches_pseudonym` is 0 where one pseudonym may stand for many
    // people (a chat's IP address behind a shared or carrier NAT): it then serves the objection only.
    sql: `
      CREATE TABLE rights_requests (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('access', 'erasure', 'objection')),
        channel TEXT NOT NULL CHECK (channel IN ('phone', 'chat', 'mail')),
        received_at INTEGER NOT NULL,
        registered_by TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        identity_checked_at INTEGER,
        identity_checked_by TEXT,
        extended_at INTEGER,
        extended_by TEXT,
        extension_reason TEXT,
        extension_notice_at INTEGER,
        answered_at INTEGER,
        answered_by TEXT,
        answer TEXT,
        CHECK ((extended_at IS NULL) = (extension_reason IS NULL) AND (extended_at IS NULL) = (extension_notice_at IS NULL)),
        CHECK ((answered_at IS NULL) = (answer IS NULL))
      );

      CREATE TABLE rights_request_links (
        request_id INTEGER NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
        link_epoch TEXT,
        pseudonym BLOB CHECK (pseudonym IS NULL OR length(pseudonym) = 16),
        contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
        matches_pseudonym INTEGER NOT NULL DEFAULT 1 CHECK (matches_pseudonym IN (0, 1)),
        CHECK ((link_epoch IS NULL) = (pseudonym IS NULL))
      );
      CREATE INDEX rights_request_links_by_request ON rights_request_links (request_id);

      CREATE TABLE objections (
        link_epoch TEXT NOT NULL,
        pseudonym BLOB NOT NULL CHECK (length(pseudonym) = 16),
        request_id INTEGER NOT NULL REFERENCES rights_requests (id),
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (link_epoch, pseudonym)
      );
    `,
  },
  {
    version: 6,
    description: 'Time Outs and blocks (moderation), keyed by moderated caller; intake marks on contacts',
    // A moderated caller is recognized by the (link month, pseudonym) pairs it called under: intake
    // adds the current month's pair when an earlier one matched, and a month's pairs go when its link
    // key is shredded. Entries name the contact that led to them by its random reference only (no
    // foreign key: an erased contact leaves the entry). A contact's mark goes with the contact.
    sql: `
      CREATE TABLE moderated_callers (
        id INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE moderated_caller_keys (
        link_epoch TEXT NOT NULL,
        pseudonym BLOB NOT NULL CHECK (length(pseudonym) = 16),
        caller_id INTEGER NOT NULL REFERENCES moderated_callers (id) ON DELETE CASCADE,
        PRIMARY KEY (link_epoch, pseudonym)
      );
      CREATE INDEX moderated_caller_keys_by_caller ON moderated_caller_keys (caller_id);

      CREATE TABLE moderations (
        id INTEGER PRIMARY KEY,
        caller_id INTEGER NOT NULL REFERENCES moderated_callers (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('time-out', 'block')),
        contact_reference TEXT NOT NULL,
        given_by TEXT NOT NULL,
        given_at INTEGER NOT NULL,
        given_epoch TEXT NOT NULL,
        until INTEGER NOT NULL CHECK (until > given_at),
        reason TEXT,
        lifted_at INTEGER,
        lifted_by TEXT,
        lift_reason TEXT,
        CHECK ((kind = 'block') = (reason IS NOT NULL)),
        CHECK ((lifted_at IS NULL) = (lifted_by IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL))
      );
      CREATE INDEX moderations_by_caller ON moderations (caller_id);

      CREATE TABLE moderated_contacts (
        contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('time-out', 'blocked', 'unknown')),
        until INTEGER,
        routing TEXT CHECK (routing IS NULL OR routing IN ('route', 'refuse')),
        marked_at INTEGER NOT NULL,
        CHECK ((kind = 'unknown') = (until IS NULL)),
        CHECK ((kind = 'unknown') = (routing IS NOT NULL))
      );
    `,
  },
  {
    version: 7,
    description: 'mails (sealed per month under the mail-content keys, all gone at year end) and reviewed training fragments',
    // A mail thread is a contact (channel 'mail'); each mail in or out is a row whose subject and
    // body are one sealed JSON text. Training fragments hold reviewed, anonymized text only, with no
    // link back to the contact they came from (BE: "data, nicknames, locatie en leeftijden aangepast").
    sql: `
      CREATE TABLE mail_messages (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        at INTEGER NOT NULL,
        sealed_epoch TEXT NOT NULL,
        sealed_message BLOB NOT NULL,
        size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
        -- Outgoing mails the relay has not taken yet (0): the volunteer sees them and sends again.
        delivered INTEGER NOT NULL DEFAULT 1 CHECK (delivered IN (0, 1))
      );
      CREATE INDEX mail_messages_by_contact ON mail_messages (contact_id);

      CREATE TABLE training_fragments (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        saved_by TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    description: 'the statistics the box published (for the annual report) and the privacy-budget ledger',
    // published_stats keeps each stats message as it went into the outbox: aggregates that passed
    // disclosure control, nothing else, so the annual report is derived from what was published and
    // cannot reveal more. privacy_budget holds the epsilon each noised release spent, per local year.
    sql: `
      CREATE TABLE published_stats (
        seq INTEGER PRIMARY KEY,
        period_start INTEGER NOT NULL UNIQUE,
        period_end INTEGER NOT NULL CHECK (period_end > period_start),
        payload TEXT NOT NULL
      );

      CREATE TABLE privacy_budget (
        period_start INTEGER PRIMARY KEY,
        year INTEGER NOT NULL,
        epsilon REAL NOT NULL CHECK (epsilon > 0),
        spent_at INTEGER NOT NULL
      );
      CREATE INDEX privacy_budget_by_year ON privacy_budget (year);
    `,
  },
];
