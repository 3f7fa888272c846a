// How ACH entries look on the wire: outgoing_ach and incoming_ach, with only the properties the
// spec declares. Pure functions of the rows.

import { amountToJson } from '../ledger/index.js'
import type { IncomingRow, OutgoingRow } from './store.js'

type Json = Record<string, unknown>

/** The spec's bank and partner ids are integers Keel has no use for; it shows 1 for both. */
export const bankIdShown = 1
export const partnerIdShown = 1

export function toOutgoingAch(r: OutgoingRow): Json {
  const view: Json = {
    id: r.id,
    external_id: r.id,
    status: r.status,
    amount: amountToJson(r.amount),
    bank_id: bankIdShown,
    partner_id: partnerIdShown,
    effective_date: r.effective_date,
    is_same_day: r.is_same_day,
    trace_no: r.trace_no,
    memo: r.memo,
    account_no: r.account_no,
    source_account_no: r.source_account_no,
    company_name: r.company_name,
    company_entry_description: r.company_entry_description,
  }
  if (r.external_account_id) view.account_id = r.external_account_id
  if (r.account_name) view.account_name = r.account_name
  if (r.source_account_id) view.source_account_id = r.source_account_id
  if (r.source_account_name) view.source_account_name = r.source_account_name
  if (r.reference_info !== null) view.reference_info = r.reference_info
  if (r.hold) view.hold = { amount: r.hold.amount, availability_time: r.hold.availability_time }
  if (r.incoming_ach_id) view.incoming_ach_id = r.incoming_ach_id
  if (r.return_data) view.return_data = r.return_data
  return view
}

export function toIncomingAch(r: IncomingRow): Json {
  const view: Json = {
    id: r.id,
    status: r.status,
    account_no: r.account_no,
    amount: amountToJson(r.amount),
    dc_sign: r.dc_sign,
    sec_code: r.sec_code,
    company_name: r.company_name,
    company_entry_description: r.company_entry_description,
    identification_number: r.identification_number,
    originating_routing_number: r.originating_routing_number,
    trace_no: r.trace_no,
    effective_date: r.effective_date,
    settlement_date: r.settlement_date,
    is_future_dated: r.is_future_dated,
    tenant: r.workspace_id,
  }
  if (r.account_id) view.account_id = r.account_id
  if (r.external_id) view.external_id = r.external_id
  if (r.decline_reason) view.decline_reason = r.decline_reason
  if (r.reference_info.length) view.reference_info = r.reference_info
  if (r.return_data) view.return_data = r.return_data
  if (r.notification_of_change) view.notification_of_change = r.notification_of_change
  if (r.iat_info) view.iat_info = r.iat_info
  if (r.outgoing_ach_id) view.outgoing_ach_id = r.outgoing_ach_id
  return view
}
