-- A customer's kyc_status can say what verification_status cannot: PROVIDER_FAILURE, a check that
-- did not run. Stored beside it when they differ (null: the same as verification_status), so the
-- record reads as the CUSTOMER.KYC_OUTCOME.UPDATED event said.
alter table persons add column kyc_status text;
