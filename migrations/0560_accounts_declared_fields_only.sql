-- Accounts, templates and internal accounts keep only the fields the spec declares for them
-- (docs/accounts.md). Rows written before that rule may hold undeclared fields, some of them
-- large; reads already hide them, and this drops them from the rows. The lists are the top-level
-- properties each shape declares (src/accounts/account-types.ts), less what lives in columns or
-- is the server's to compute, plus what the server writes (open_date, close_date, account_closure).

update accounts set fields = (select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from jsonb_each(fields) as f(k, v) where k = any(case account_type
    when 'CHECKING' then array['account_closure', 'account_purpose', 'application_id', 'balance_ceiling', 'balance_floor', 'close_date', 'exchange_rate_type', 'fee_product_ids', 'iban', 'is_account_pool', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_external_card_enabled', 'is_p2p_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'metadata', 'open_date', 'overdraft_limit', 'spend_control_ids', 'spending_limits', 'swift_code']
    when 'SAVING' then array['account_closure', 'account_purpose', 'application_id', 'balance_ceiling', 'balance_floor', 'close_date', 'exchange_rate_type', 'fee_product_ids', 'iban', 'is_account_pool', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_external_card_enabled', 'is_p2p_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'metadata', 'open_date', 'overdraft_limit', 'spend_control_ids', 'spending_limits', 'swift_code']
    when 'CHARGE_SECURED' then array['account_closure', 'account_purpose', 'application_id', 'close_date', 'exchange_rate_type', 'iban', 'is_account_pool', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_p2p_enabled', 'is_synctera_pay_enabled', 'is_system_auto_pay_enabled', 'is_wire_enabled', 'metadata', 'open_date', 'security', 'spend_control_ids', 'swift_code']
    when 'CHARGE_UNSECURED' then array['account_closure', 'account_purpose', 'application_id', 'balance_ceiling', 'balance_floor', 'close_date', 'credit_limit', 'exchange_rate_type', 'iban', 'is_account_pool', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_p2p_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'metadata', 'minimum_payment', 'open_date', 'spend_control_ids', 'swift_code']
    when 'LINE_OF_CREDIT' then array['account_closure', 'account_purpose', 'application_id', 'close_date', 'credit_limit', 'exchange_rate_type', 'grace_period', 'iban', 'is_account_pool', 'is_ach_enabled', 'is_eft_ca_enabled', 'is_p2p_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'metadata', 'minimum_payment', 'open_date', 'swift_code']
    when 'GENERAL_LEDGER' then array['account_closure', 'account_purpose', 'application_id', 'close_date', 'exchange_rate_type', 'iban', 'is_account_pool', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_p2p_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'metadata', 'open_date', 'swift_code']
    else array[]::text[] end));

update account_templates set fields = (select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from jsonb_each(fields) as f(k, v) where k = any(array['application_type', 'description', 'is_enabled', 'name', 'template']));
update account_templates set fields = jsonb_set(fields, '{template}', (select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from jsonb_each(fields->'template') as f(k, v) where k = any(case account_type
    when 'CHECKING' then array['account_type', 'balance_ceiling', 'balance_floor', 'bank_account_id', 'bank_country', 'currency', 'fee_product_ids', 'interest_product_id', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_external_card_enabled', 'is_p2p_enabled', 'is_sar_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'overdraft_limit', 'spend_control_ids', 'spending_limits']
    when 'SAVING' then array['account_type', 'balance_ceiling', 'balance_floor', 'bank_account_id', 'bank_country', 'currency', 'fee_product_ids', 'interest_product_id', 'is_ach_enabled', 'is_card_enabled', 'is_eft_ca_enabled', 'is_external_card_enabled', 'is_p2p_enabled', 'is_sar_enabled', 'is_synctera_pay_enabled', 'is_wire_enabled', 'overdraft_limit', 'spend_control_ids', 'spending_limits']
    when 'CHARGE_SECURED' then array['account_type', 'auto_payment_period', 'bank_account_id', 'bank_country', 'currency', 'grace_period', 'minimum_payment', 'spend_control_ids']
    when 'CHARGE_UNSECURED' then array['account_type', 'bank_account_id', 'bank_country', 'currency', 'grace_period', 'minimum_payment', 'spend_control_ids']
    when 'LINE_OF_CREDIT' then array['account_type', 'bank_account_id', 'bank_country', 'currency', 'grace_period', 'interest_product_id', 'minimum_payment']
    when 'GENERAL_LEDGER' then array['account_type', 'bank_account_id', 'bank_country', 'currency']
    else array[]::text[] end)))
  where jsonb_typeof(fields->'template') = 'object';

update internal_accounts set fields = (select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from jsonb_each(fields) as f(k, v) where k = any(array['account_type', 'bank_account_id', 'description', 'gl_type', 'is_system_acc', 'purpose']));
