-- Documents approved from a ZIP may belong to an invoice that is not queued yet: they are
-- linked by the invoice's source ref and go up once its case exists. The content hash keeps one
-- file stored (and uploaded) once per invoice however often the same ZIP is approved.
-- SQLite cannot change a CHECK in place, so the table is rebuilt with its rows and indexes.

CREATE TABLE documents_new (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER REFERENCES outbox (id),
    agency_case_id  TEXT REFERENCES cases (agency_case_id),
    provider        TEXT,
    account         TEXT,
    external_id     TEXT,
    file_name       TEXT NOT NULL,
    local_path      TEXT NOT NULL,
    sha256          TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
    document_type   TEXT NOT NULL,
    description     TEXT,
    state           TEXT NOT NULL
        CHECK (state IN ('pending', 'uploading', 'uploaded', 'failed')),
    agency_file_id  TEXT,
    last_error_json TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (outbox_id IS NOT NULL OR agency_case_id IS NOT NULL OR external_id IS NOT NULL),
    CHECK ((provider IS NULL) = (account IS NULL) AND (provider IS NULL) = (external_id IS NULL))
) STRICT;

INSERT INTO documents_new (id, outbox_id, agency_case_id, file_name, local_path, document_type,
    description, state, agency_file_id, last_error_json, created_at, updated_at)
SELECT id, outbox_id, agency_case_id, file_name, local_path, document_type,
    description, state, agency_file_id, last_error_json, created_at, updated_at
FROM documents;

DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;

CREATE INDEX documents_outbox ON documents (outbox_id);
CREATE INDEX documents_case ON documents (agency_case_id);
CREATE INDEX documents_source ON documents (provider, account, external_id);
CREATE UNIQUE INDEX documents_once_per_invoice
    ON documents (provider, account, external_id, sha256) WHERE sha256 IS NOT NULL;
