-- The review status of 100,000 cached invoices, without six lookups per row per query.
--
-- An invoice's tab is ready / needs fixing / unchecked from its own `issue_count`, unless
-- a submission or case in the agency environment marks it `submitted` (same source ref) or
-- `duplicate` (same creditor reference or fingerprint). That mark is stored per environment
-- on the invoice and kept right by the triggers below, in the transaction of whichever write
-- changes it: an invoice cached, re-fetched with another number, an outbox row queued,
-- rejected, cancelled, revived or deleted, a case written or removed. The triggers fire from
-- SQLite itself, so no repository method can forget to refresh the marks.
--
-- `invoice_review_marks` is the one definition of the marks (what the old per-query CTE
-- computed); the triggers copy from it and the tests compare every stored mark against it.
-- Its `state NOT IN (...)` term is spelled like the outbox's partial index so SQLite uses it.

ALTER TABLE invoices ADD COLUMN review_mark_test TEXT
    CHECK (review_mark_test IN ('submitted', 'duplicate'));
ALTER TABLE invoices ADD COLUMN review_mark_production TEXT
    CHECK (review_mark_production IN ('submitted', 'duplicate'));

CREATE VIEW invoice_review_marks AS
SELECT i.id,
    CASE
        WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.agency_environment = 'test'
                AND o.provider = i.provider AND o.account = i.account
                AND o.external_id = i.external_id AND o.state NOT IN ('rejected', 'cancelled'))
          OR EXISTS (SELECT 1 FROM cases c WHERE c.agency_environment = 'test'
                AND c.provider = i.provider AND c.account = i.account
                AND c.external_id = i.external_id)
        THEN 'submitted'
        WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.agency_environment = 'test'
                AND o.creditor_reference = i.creditor_reference
                AND o.state NOT IN ('rejected', 'cancelled'))
          OR EXISTS (SELECT 1 FROM outbox o WHERE o.agency_environment = 'test'
                AND o.fingerprint = i.fingerprint AND o.state NOT IN ('rejected', 'cancelled'))
          OR EXISTS (SELECT 1 FROM cases c WHERE c.agency_environment = 'test'
                AND c.creditor_reference = i.creditor_reference)
          OR EXISTS (SELECT 1 FROM cases c WHERE c.agency_environment = 'test'
                AND c.fingerprint = i.fingerprint)
        THEN 'duplicate'
    END AS mark_test,
    CASE
        WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.agency_environment = 'production'
                AND o.provider = i.provider AND o.account = i.account
                AND o.external_id = i.external_id AND o.state NOT IN ('rejected', 'cancelled'))
          OR EXISTS (SELECT 1 FROM cases c WHERE c.agency_environment = 'production'
                AND c.provider = i.provider AND c.account = i.account
                AND c.external_id = i.external_id)
        THEN 'submitted'
        WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.agency_environment = 'production'
                AND o.creditor_reference = i.creditor_reference
                AND o.state NOT IN ('rejected', 'cancelled'))
          OR EXISTS (SELECT 1 FROM outbox o WHERE o.agency_environment = 'production'
                AND o.fingerprint = i.fingerprint AND o.state NOT IN ('rejected', 'cancelled'))
          OR EXISTS (SELECT 1 FROM cases c WHERE c.agency_environment = 'production'
                AND c.creditor_reference = i.creditor_reference)
          OR EXISTS (SELECT 1 FROM cases c WHERE c.agency_environment = 'production'
                AND c.fingerprint = i.fingerprint)
        THEN 'duplicate'
    END AS mark_production
FROM invoices i;

-- Existing caches: only the few marked rows are written.
UPDATE invoices SET (review_mark_test, review_mark_production) =
    (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
WHERE id IN (SELECT id FROM invoice_review_marks
             WHERE mark_test IS NOT NULL OR mark_production IS NOT NULL);

-- Everything the review table filters, searches and sorts on, so a page, a count or a search
-- reads this index (~110 bytes a row) instead of the rows with their JSON payloads. Its
-- prefix (mark, mark, issue count) is the order the counts group by. The single-column sort
-- indexes it replaces would only cost every cache write.
CREATE INDEX invoices_review ON invoices (
    review_mark_production, review_mark_test, issue_count, due_date, issue_date, outstanding,
    debtor_name, creditor_reference, external_id);
DROP INDEX invoices_due_date;
DROP INDEX invoices_issue_date;
DROP INDEX invoices_debtor_name;

-- A new invoice is marked only if some submission or case matches it (rare; the check is
-- twelve index probes, the write happens only then).
CREATE TRIGGER invoices_review_on_insert AFTER INSERT ON invoices
WHEN (SELECT m.mark_test IS NOT NULL OR m.mark_production IS NOT NULL
      FROM invoice_review_marks m WHERE m.id = NEW.id)
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = NEW.id)
    WHERE id = NEW.id;
END;

-- A re-fetch rewrites every column; only a changed key can change the mark.
CREATE TRIGGER invoices_review_on_update
AFTER UPDATE OF provider, account, external_id, creditor_reference, fingerprint ON invoices
WHEN OLD.provider IS NOT NEW.provider OR OLD.account IS NOT NEW.account
  OR OLD.external_id IS NOT NEW.external_id
  OR OLD.creditor_reference IS NOT NEW.creditor_reference
  OR OLD.fingerprint IS NOT NEW.fingerprint
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = NEW.id)
    WHERE id = NEW.id;
END;

-- Submissions: the invoices a row names (source ref, creditor reference, fingerprint) are
-- re-marked when it appears, goes live or dead (rejected, cancelled, revived), changes a
-- key, or disappears. queued → sending → accepted keeps it live: no trigger work.
CREATE TRIGGER outbox_review_on_insert AFTER INSERT ON outbox
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
    WHERE (provider = NEW.provider AND account = NEW.account AND external_id = NEW.external_id)
       OR creditor_reference = NEW.creditor_reference OR fingerprint = NEW.fingerprint;
END;

CREATE TRIGGER outbox_review_on_update
AFTER UPDATE OF state, agency_environment, provider, account, external_id, creditor_reference,
    fingerprint ON outbox
WHEN (OLD.state IN ('rejected', 'cancelled')) IS NOT (NEW.state IN ('rejected', 'cancelled'))
  OR OLD.agency_environment IS NOT NEW.agency_environment
  OR OLD.provider IS NOT NEW.provider OR OLD.account IS NOT NEW.account
  OR OLD.external_id IS NOT NEW.external_id
  OR OLD.creditor_reference IS NOT NEW.creditor_reference
  OR OLD.fingerprint IS NOT NEW.fingerprint
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
    WHERE (provider = NEW.provider AND account = NEW.account AND external_id = NEW.external_id)
       OR creditor_reference = NEW.creditor_reference OR fingerprint = NEW.fingerprint
       OR (provider = OLD.provider AND account = OLD.account AND external_id = OLD.external_id)
       OR creditor_reference = OLD.creditor_reference OR fingerprint = OLD.fingerprint;
END;

CREATE TRIGGER outbox_review_on_delete AFTER DELETE ON outbox
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
    WHERE (provider = OLD.provider AND account = OLD.account AND external_id = OLD.external_id)
       OR creditor_reference = OLD.creditor_reference OR fingerprint = OLD.fingerprint;
END;

-- Cases, including those found on the agency without a source ref (matched by number or
-- fingerprint only).
CREATE TRIGGER cases_review_on_insert AFTER INSERT ON cases
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
    WHERE (provider = NEW.provider AND account = NEW.account AND external_id = NEW.external_id)
       OR creditor_reference = NEW.creditor_reference OR fingerprint = NEW.fingerprint;
END;

CREATE TRIGGER cases_review_on_update
AFTER UPDATE OF agency_environment, provider, account, external_id, creditor_reference,
    fingerprint ON cases
WHEN OLD.agency_environment IS NOT NEW.agency_environment
  OR OLD.provider IS NOT NEW.provider OR OLD.account IS NOT NEW.account
  OR OLD.external_id IS NOT NEW.external_id
  OR OLD.creditor_reference IS NOT NEW.creditor_reference
  OR OLD.fingerprint IS NOT NEW.fingerprint
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
    WHERE (provider = NEW.provider AND account = NEW.account AND external_id = NEW.external_id)
       OR creditor_reference = NEW.creditor_reference OR fingerprint = NEW.fingerprint
       OR (provider = OLD.provider AND account = OLD.account AND external_id = OLD.external_id)
       OR creditor_reference = OLD.creditor_reference OR fingerprint = OLD.fingerprint;
END;

CREATE TRIGGER cases_review_on_delete AFTER DELETE ON cases
BEGIN
    UPDATE invoices SET (review_mark_test, review_mark_production) =
        (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id)
    WHERE (provider = OLD.provider AND account = OLD.account AND external_id = OLD.external_id)
       OR creditor_reference = OLD.creditor_reference OR fingerprint = OLD.fingerprint;
END;
