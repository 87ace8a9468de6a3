-- Casebridge schema, version 1.
--
-- Conventions:
-- * Timestamps are UTC text 'YYYY-MM-DDTHH:MM:SS.mmmZ' (fixed width, so text order is time order).
-- * Dates are 'YYYY-MM-DD'. Money amounts are decimal text, never floats.
-- * *_json columns hold JSON text.
-- * No secret ever lives here: API keys and OAuth tokens are in the OS keychain.
-- * A "source ref" is (provider, account, external_id): one invoice in one source account.
-- * agency_environment ('test' | 'production') scopes submissions: an invoice tried out
--   against the agency's test environment can still be submitted to production once.

CREATE TABLE connections (
    id                      TEXT PRIMARY KEY,
    provider                TEXT NOT NULL,
    account_id              TEXT NOT NULL,
    display_name            TEXT NOT NULL,
    environment             TEXT NOT NULL,
    settings_json           TEXT NOT NULL DEFAULT '{}',
    status                  TEXT NOT NULL
        CHECK (status IN ('connected', 'needs_reconnect', 'error', 'disconnected')),
    last_success_at         TEXT,
    last_error_json         TEXT,
    token_expires_at        TEXT,
    refresh_token_issued_at TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
) STRICT;

CREATE TABLE invoices (
    id                 INTEGER PRIMARY KEY,
    provider           TEXT NOT NULL,
    account            TEXT NOT NULL,
    external_id        TEXT NOT NULL,
    creditor_reference TEXT,
    debtor_key         TEXT NOT NULL,
    debtor_name        TEXT NOT NULL,
    fingerprint        TEXT,
    issue_date         TEXT,
    due_date           TEXT,
    currency           TEXT,
    outstanding        TEXT NOT NULL,
    -- Readiness issues found by the engine (0 = ready, NULL = not evaluated yet).
    issue_count        INTEGER CHECK (issue_count >= 0),
    payload_json       TEXT NOT NULL,
    source_status      TEXT NOT NULL,
    fetched_at         TEXT NOT NULL,
    -- Kept across re-fetches: when this invoice first appeared locally.
    first_seen_at      TEXT NOT NULL,
    UNIQUE (provider, account, external_id)
) STRICT;
CREATE INDEX invoices_debtor ON invoices (provider, account, debtor_key);
CREATE INDEX invoices_creditor_reference ON invoices (creditor_reference);
CREATE INDEX invoices_fingerprint ON invoices (fingerprint);
CREATE INDEX invoices_due_date ON invoices (due_date);
CREATE INDEX invoices_issue_date ON invoices (issue_date);
CREATE INDEX invoices_debtor_name ON invoices (debtor_name COLLATE NOCASE);

-- User fixes to a debtor's data. Never touched by invoice upserts, so they survive re-fetches.
CREATE TABLE debtor_overrides (
    provider      TEXT NOT NULL,
    account       TEXT NOT NULL,
    debtor_key    TEXT NOT NULL,
    override_json TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (provider, account, debtor_key)
) STRICT;

-- Durable submission queue. The UNIQUE source ref makes "one submission per invoice" structural;
-- a row is revived (never duplicated) when a rejected or cancelled invoice is submitted again.
CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key    TEXT NOT NULL UNIQUE
        CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    agency_environment TEXT NOT NULL CHECK (agency_environment IN ('test', 'production')),
    provider           TEXT NOT NULL,
    account            TEXT NOT NULL,
    external_id        TEXT NOT NULL,
    creditor_reference TEXT NOT NULL,
    fingerprint        TEXT,
    payload_json       TEXT NOT NULL,
    state              TEXT NOT NULL
        CHECK (state IN ('queued', 'sending', 'accepted', 'rejected', 'uncertain', 'cancelled')),
    attempts           INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error_json    TEXT,
    agency_case_id     TEXT,
    agency_reference   TEXT,
    batch_id           TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    next_attempt_at    TEXT,
    UNIQUE (agency_environment, provider, account, external_id),
    CHECK ((state = 'accepted') = (agency_case_id IS NOT NULL))
) STRICT;
-- The agency enforces creditorReference uniqueness per creditor; mirror it for live entries.
CREATE UNIQUE INDEX outbox_live_creditor_reference
    ON outbox (agency_environment, creditor_reference)
    WHERE state NOT IN ('rejected', 'cancelled');
CREATE INDEX outbox_fingerprint ON outbox (agency_environment, fingerprint)
    WHERE fingerprint IS NOT NULL;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_batch ON outbox (batch_id, state);

CREATE TABLE cases (
    agency_case_id     TEXT PRIMARY KEY,
    agency_environment TEXT NOT NULL CHECK (agency_environment IN ('test', 'production')),
    agency_reference   TEXT,
    creditor_reference TEXT,
    -- Source ref: all NULL for cases that were found on the agency, not submitted from here.
    provider           TEXT,
    account            TEXT,
    external_id        TEXT,
    outbox_id          INTEGER REFERENCES outbox (id),
    fingerprint        TEXT,
    debtor_name        TEXT,
    amount             TEXT,
    currency           TEXT,
    lifecycle          TEXT,
    close_code         TEXT,
    payments_json      TEXT NOT NULL DEFAULT '[]',
    source_status      TEXT NOT NULL DEFAULT 'unknown'
        CHECK (source_status IN ('open', 'paid_at_source', 'unknown')),
    submitted_at       TEXT,
    last_polled_at     TEXT,
    raw_json           TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK ((provider IS NULL) = (account IS NULL) AND (provider IS NULL) = (external_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX cases_source
    ON cases (agency_environment, provider, account, external_id)
    WHERE provider IS NOT NULL;
CREATE INDEX cases_creditor_reference ON cases (agency_environment, creditor_reference);
CREATE INDEX cases_fingerprint ON cases (agency_environment, fingerprint)
    WHERE fingerprint IS NOT NULL;

-- Files to upload to a case once it exists (ZIP import, provider invoice PDFs).
CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER REFERENCES outbox (id),
    agency_case_id  TEXT REFERENCES cases (agency_case_id),
    file_name       TEXT NOT NULL,
    local_path      TEXT NOT NULL,
    document_type   TEXT NOT NULL,
    description     TEXT,
    state           TEXT NOT NULL
        CHECK (state IN ('pending', 'uploading', 'uploaded', 'failed')),
    agency_file_id  TEXT,
    last_error_json TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (outbox_id IS NOT NULL OR agency_case_id IS NOT NULL)
) STRICT;
CREATE INDEX documents_outbox ON documents (outbox_id);
CREATE INDEX documents_case ON documents (agency_case_id);

CREATE TABLE mapping_profiles (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    header_fingerprint TEXT NOT NULL,
    mapping_json       TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;
CREATE INDEX mapping_profiles_header ON mapping_profiles (header_fingerprint);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    details_json TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_subject ON audit_log (subject, id);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
