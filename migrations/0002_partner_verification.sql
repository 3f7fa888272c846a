-- The fintech's own KYB, per workspace. A live workspace moves no money until it has passed
-- (422 PARTNER_NOT_VERIFIED); a sandbox workspace counts as passed whatever this holds.
-- Recorded by an operator (`keel partner-kyb pass|revoke`), never through the API.
alter table workspaces add column partner_verified_at timestamptz;
