-- Paid-at-source checks: every so often a submitted invoice is read again at its source (Stripe,
-- QuickBooks, Zoho) to notice it was paid, voided or deleted there after it became a case.
--
-- `gone_at_source` (voided or deleted) joins the statuses. SQLite cannot change a CHECK in
-- place; rebuilding `cases` would mean dropping and re-creating the review-mark view and
-- triggers that read it, so the column is swapped instead (a column's own CHECK does not stop
-- DROP COLUMN, and RENAME COLUMN rewrites the constraint's text).
ALTER TABLE cases ADD COLUMN source_status_new TEXT NOT NULL DEFAULT 'unknown'
    CHECK (source_status_new IN ('open', 'paid_at_source', 'gone_at_source', 'unknown'));
UPDATE cases SET source_status_new = source_status;
ALTER TABLE cases DROP COLUMN source_status;
ALTER TABLE cases RENAME COLUMN source_status_new TO source_status;

-- When the source last answered (what `source_status` is as of), when it was last asked (the
-- throttle: a failing source is not asked again on every poll), and why the last ask failed
-- (`{code, message, hint}`, cleared by the next answer). A failure never changes the status.
ALTER TABLE cases ADD COLUMN source_checked_at TEXT;
ALTER TABLE cases ADD COLUMN source_check_attempted_at TEXT;
ALTER TABLE cases ADD COLUMN source_check_error_json TEXT;

-- The due cases of one connected account, least recently asked first.
CREATE INDEX cases_source_check_due
    ON cases (agency_environment, provider, account, source_check_attempted_at)
    WHERE provider IS NOT NULL;
