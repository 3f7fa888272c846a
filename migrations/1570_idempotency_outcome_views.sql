-- Idempotency-Key outcomes stored by view, as events are (migration 0401): an outcome whose answer
-- no later change can alter (a posted internal transfer) names the registered view that renders it
-- and the resource it renders (src/platform/resource-views.ts) instead of carrying the answer's
-- text. A posted internal transfer's answer is its record as the API shows it, a few hundred bytes
-- written again beside the record it renders from, in every keyed transfer's transaction: the
-- largest of the rows a keyed transfer writes after its record. A replay renders it from the record;
-- a wipe writes the rendered text in before it deletes the records (keys outlive a wipe).
alter table idempotency_keys
  add column response_view text,
  add column response_resource_id uuid,
  add constraint idempotency_keys_by_view check (
    (response_view is null) = (response_resource_id is null) and (response_view is null or response_body is null));
