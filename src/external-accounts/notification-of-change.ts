// A notification of change (NACHA addenda 98) about an external account Keel sent an ACH entry to:
// the receiving bank says which of the account's numbers or its type to use from now on. Keel applies
// the corrections that name the account's routing number, account number or type (C01, C02, C03,
// C05, C06, C07), so later entries use the right numbers. The other codes (name, identification,
// addenda format, SEC code) change nothing here: the ACH rail keeps the NOC on its incoming entry.
import type { Vault } from '../platform/crypto.js'
import type { Queryable } from '../platform/db.js'
import { changedFields, recordEvent } from '../platform/events.js'
import { eventTypes, numbersSha256 } from './manual.js'
import { getAccount, saveAccount, type AccountRow } from './store.js'
import { lastFour, toExternalAccount } from './views.js'

export interface NotificationOfChange {
  changeCode: string
  /** The corrected values the code names (the NACHA library decodes them from the addenda). */
  routingNumber?: string
  accountNumber?: string
  /** 'CHECKING' or 'SAVINGS', from a corrected transaction code. */
  accountType?: string
}

/** Applies a NOC to an external account; true when the account changed (an EXTERNAL_ACCOUNT.UPDATED event is written). */
export async function applyNotificationOfChange(tx: Queryable, vault: Vault, workspaceId: string, externalAccountId: string, noc: NotificationOfChange, now: Date): Promise<boolean> {
  const before = await getAccount(tx, workspaceId, externalAccountId, { forUpdate: true })
  if (!before || before.status === 'DELETED') return false
  const after: AccountRow = { ...before, routing: { ...before.routing } }
  if (noc.routingNumber) after.routing.ach_routing_number = noc.routingNumber
  if (noc.accountNumber) {
    after.account_number_encrypted = vault.encrypt(noc.accountNumber)
    after.account_number_last4 = lastFour(noc.accountNumber)
  }
  if (noc.accountType) after.type = noc.accountType
  const number = after.account_number_encrypted ? vault.decrypt(after.account_number_encrypted) : undefined
  const iban = after.iban_encrypted ? vault.decrypt(after.iban_encrypted) : undefined
  after.numbers_sha256 = numbersSha256(after.routing, number, iban)
  const viewBefore = toExternalAccount(before)
  const resource = toExternalAccount(after)
  const changed = changedFields(viewBefore, resource)
  const numbersChanged = after.numbers_sha256 !== before.numbers_sha256
  if (Object.keys(changed).length === 0 && !numbersChanged) return false
  after.updated_at = now
  await saveAccount(tx, after)
  await recordEvent(tx, { at: now, workspaceId, type: eventTypes.updated, resourceId: after.id, resource, changedFields: changed })
  return true
}
