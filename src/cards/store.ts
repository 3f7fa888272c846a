// SQL for cards, their PANs, their change history, widget access tokens and widget origins.

import type { Fragment } from 'postgres'
import { assert } from '../platform/assert.js'
import type { Clock } from '../platform/clock.js'
import type { Queryable } from '../platform/db.js'
import { likePattern, type Page } from '../platform/pagination.js'
import { joinFragments, keysetAfter, orderBy, type SortKey } from '../platform/sorting.js'
import type { CardStatus, FulfillmentStatus, ReissueReason } from './lifecycle.js'

export interface CardRow {
  workspace_id: string
  id: string
  pan_id: string
  card_product_id: string
  form: 'PHYSICAL' | 'VIRTUAL'
  card_type: string
  card_brand: string
  bin: string
  last_four: string
  account_id: string
  customer_id: string | null
  business_id: string | null
  card_status: CardStatus
  status_reason: string | null
  memo: string | null
  fulfillment_status: FulfillmentStatus | null
  fulfillment_details: Record<string, unknown> | null
  cvv_encrypted: string
  expiration_time: Date
  activation_code_encrypted: string | null
  activation_code_fingerprint: string | null
  pin_hash: string | null
  pin_set_at: Date | null
  reissue_reason: ReissueReason | null
  reissued_from_id: string | null
  reissued_to_id: string | null
  card_image_id: string | null
  emboss_name: { line_1: string; line_2?: string } | null
  shipping: Record<string, unknown> | null
  metadata: Record<string, string> | null
  created_at: Date
  updated_at: Date
}

export interface CardChangeRow {
  workspace_id: string
  id: string
  card_id: string
  change_type: 'FULFILLMENT' | 'PIN' | 'STATUS'
  channel: 'ADMIN' | 'API' | 'FRAUD' | 'SYSTEM'
  state: string
  reason: string | null
  memo: string | null
  updated_by: string
  updated_at: Date
}

const jsonColumns = ['fulfillment_details', 'emboss_name', 'shipping', 'metadata'] as const

function writable(db: Queryable, row: CardRow): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row }
  for (const c of jsonColumns) out[c] = row[c] === null ? null : db.json(row[c] as never)
  return out
}

/** Stores a PAN unless the workspace already has one with this fingerprint; false then. */
export async function insertPan(db: Queryable, row: { workspace_id: string; id: string; fingerprint: string; pan_encrypted: string; created_at: Date }): Promise<boolean> {
  const rows = await db`insert into card_pans ${db(row)} on conflict (workspace_id, fingerprint) do nothing returning id`
  return rows.length === 1
}

export async function getPanEncrypted(db: Queryable, workspaceId: string, panId: string): Promise<string | undefined> {
  const [row] = await db<{ pan_encrypted: string }[]>`select pan_encrypted from card_pans where workspace_id = ${workspaceId} and id = ${panId}`
  return row?.pan_encrypted
}

export async function insertCard(db: Queryable, row: CardRow): Promise<void> {
  await db`insert into cards ${db(writable(db, row) as never)}`
}

export async function updateCard(db: Queryable, row: CardRow): Promise<void> {
  const w = writable(db, row)
  delete w.workspace_id
  delete w.id
  await db`update cards set ${db(w as never)} where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export async function getCard(db: Queryable, workspaceId: string, id: string, lock = false): Promise<CardRow | undefined> {
  const [row] = lock
    ? await db<CardRow[]>`select * from cards where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<CardRow[]>`select * from cards where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function cardByActivationCode(db: Queryable, workspaceId: string, fingerprint: string): Promise<CardRow | undefined> {
  const [row] = await db<CardRow[]>`select * from cards where workspace_id = ${workspaceId} and activation_code_fingerprint = ${fingerprint} for update`
  return row
}

/** The cards a holder has on an account that are not terminated (read in the issuing transaction, locked). */
export async function liveCardsOfHolder(db: Queryable, workspaceId: string, accountId: string, holder: { customerId: string | null; businessId: string | null }): Promise<CardRow[]> {
  return db<CardRow[]>`
    select * from cards where workspace_id = ${workspaceId} and account_id = ${accountId}
      and card_status <> 'TERMINATED'
      and ${holder.customerId ? db`customer_id = ${holder.customerId}` : db`customer_id is null and business_id = ${holder.businessId}`}
    for update`
}

export interface CardFilter {
  accountIds?: string[]
  customerId?: string
  cardProductId?: string
  cardStatus?: string
  form?: string
  cardType?: string
  cardBrand?: string
  lastFour?: string
  binPrefix?: string
  embossName?: string
  /** A card user's postal code: the card's shipping address, or its holder's (the ids at that code). */
  postalCode?: { code: string; personIds: Fragment; businessIds: Fragment }
  activationCodeFingerprint?: string
  expirationDate?: string
}

export type CardSortKey = 'account_id' | 'card_brand' | 'card_product_id' | 'card_status' | 'card_type' | 'customer_id' | 'expiration_date' | 'form' | 'last_four'
/** sort_by's fields: each sorts by the store key of the same name. */
export const cardSortFields: Readonly<Record<string, CardSortKey>> = Object.fromEntries(
  (['account_id', 'card_brand', 'card_product_id', 'card_status', 'card_type', 'customer_id', 'expiration_date', 'form', 'last_four'] as const).map((k) => [k, k]))

// Never NULL, as keysetAfter requires: a business card without a customer sorts as ''.
const sortExpression = (db: Queryable, key: CardSortKey) =>
  key === 'expiration_date' ? db`to_char(expiration_time at time zone 'UTC', 'YYYY-MM-DD')`
    : key === 'customer_id' ? db`coalesce(customer_id::text, '')`
      : db`${db(key)}::text`

/** A card's values of the sort keys (all text), in the sort's order; undefined when there is no such card. */
export async function cardSortValues(db: Queryable, workspaceId: string, id: string, sort: SortKey<CardSortKey>[]): Promise<string[] | undefined> {
  assert(sort.length > 0, 'an unsorted page resumes after an id alone')
  const [row] = await db<{ values: string[] }[]>`
    select array[${joinFragments(db, sort.map((k) => sortExpression(db, k.key)), db`,`)}]::text[] as values
    from cards where workspace_id = ${workspaceId} and id = ${id}`
  return row?.values
}

/** Cards matching the spec's filters, keyset-paged on (sort keys…, id); `anchorValues` are the last card's sort values. */
export async function listCards(db: Queryable, workspaceId: string, f: CardFilter, page: Page, sort: SortKey<CardSortKey>[] = [], anchorValues: string[] = []): Promise<CardRow[]> {
  assert(anchorValues.length === (page.afterId && sort.length ? sort.length : 0), 'the anchor has a value for every sort key')
  const keys = [...sort.map((k) => ({ expr: sortExpression(db, k.key), descending: k.descending })), { expr: db`id`, descending: false }]
  const keyset = page.afterId ? db`and ${keysetAfter(db, keys.map((k, i) => ({ ...k, value: i < sort.length ? anchorValues[i] : page.afterId })))}` : db``
  const conds = [
    f.accountIds?.length ? db`and account_id = any(${f.accountIds}::uuid[])` : db``,
    f.customerId ? db`and customer_id = ${f.customerId}` : db``,
    f.cardProductId ? db`and card_product_id = ${f.cardProductId}` : db``,
    f.cardStatus ? db`and card_status = ${f.cardStatus}` : db``,
    f.form ? db`and form = ${f.form}` : db``,
    f.cardType ? db`and card_type = ${f.cardType}` : db``,
    f.cardBrand ? db`and card_brand = ${f.cardBrand}` : db``,
    f.lastFour ? db`and last_four = ${f.lastFour}` : db``,
    // The PAN's first 6 or 8 digits (the spec's pattern): a card's 8-digit BIN starts with either.
    f.binPrefix ? db`and starts_with(bin, ${f.binPrefix})` : db``,
    // As the other name filters read a name: the whole of a line, case-insensitive, `*` a wildcard.
    f.embossName ? db`and (emboss_name->>'line_1' ilike ${likePattern(f.embossName)} or emboss_name->>'line_2' ilike ${likePattern(f.embossName)})` : db``,
    f.postalCode ? db`and (shipping->'address'->>'postal_code' = ${f.postalCode.code} or customer_id in (${f.postalCode.personIds})
      or (customer_id is null and business_id in (${f.postalCode.businessIds})))` : db``,
    f.activationCodeFingerprint ? db`and activation_code_fingerprint = ${f.activationCodeFingerprint}` : db``,
    f.expirationDate ? db`and (expiration_time at time zone 'UTC')::date = ${f.expirationDate}::date` : db``,
  ]
  return db<CardRow[]>`
    select * from cards where workspace_id = ${workspaceId}
    ${joinFragments(db, conds, db``)} ${keyset}
    order by ${orderBy(db, keys)} limit ${page.limit + 1}`
}

export async function insertChange(db: Queryable, row: CardChangeRow): Promise<void> {
  await db`insert into card_changes ${db(row as never)}`
}

/** A card's changes, newest first, at most `limit`. */
export async function changesOf(db: Queryable, workspaceId: string, cardId: string, limit: number): Promise<CardChangeRow[]> {
  return db<CardChangeRow[]>`select * from card_changes where workspace_id = ${workspaceId} and card_id = ${cardId} order by id desc limit ${limit}`
}

// Widget access tokens

export interface AccessTokenRow {
  workspace_id: string
  token_hash: string
  kind: 'CLIENT' | 'SINGLE_USE'
  card_id: string | null
  account_id: string | null
  customer_id: string | null
  expires_at: Date
  used_at: Date | null
  created_at: Date
}

export async function insertAccessToken(db: Queryable, row: AccessTokenRow): Promise<void> {
  await db`insert into card_access_tokens ${db(row as never)}`
}

/** The token, locked until the transaction ends, so two requests cannot both use it. */
export async function lockAccessToken(db: Queryable, workspaceId: string, tokenHash: string): Promise<AccessTokenRow | undefined> {
  const [row] = await db<AccessTokenRow[]>`select * from card_access_tokens where workspace_id = ${workspaceId} and token_hash = ${tokenHash} for update`
  return row
}

export async function markAccessTokenUsed(db: Queryable, workspaceId: string, tokenHash: string, at: Date): Promise<void> {
  await db`update card_access_tokens set used_at = ${at} where workspace_id = ${workspaceId} and token_hash = ${tokenHash} and used_at is null`
}

// Widget framing origins

export async function widgetOrigins(db: Queryable, workspaceId: string): Promise<string[]> {
  const rows = await db<{ origin: string }[]>`select origin from card_widget_origins where workspace_id = ${workspaceId} order by origin`
  return rows.map((r) => r.origin)
}

export async function replaceWidgetOrigins(db: Queryable, workspaceId: string, origins: string[]): Promise<void> {
  await db`delete from card_widget_origins where workspace_id = ${workspaceId}`
  for (const origin of origins) await db`insert into card_widget_origins (workspace_id, origin) values (${workspaceId}, ${origin})`
}

export async function workspaceExists(db: Queryable, workspaceId: string): Promise<boolean> {
  const rows = await db`select 1 from workspaces where id = ${workspaceId}`
  return rows.length === 1
}

/** Serializes issuing for one holder on one account until the transaction ends (limits are counted under it). */
export async function lockHolder(db: Queryable, workspaceId: string, accountId: string, holder: { customerId: string | null; businessId: string | null }): Promise<void> {
  await db`select pg_advisory_xact_lock(hashtextextended(${`cards/${workspaceId}/${accountId}/${holder.customerId ?? holder.businessId}`}, 0))`
}

/** One card whose expiry has passed and is not yet recorded, locked (skipping cards another process holds). */
/**
 * A card past its expiration time whose expiry is not recorded yet, locked (others skipped): in one
 * workspace at its clock's time, or in any workspace, each at its own (real time plus its offset).
 */
export async function dueExpiredCard(db: Queryable, clock: Clock, workspaceId?: string): Promise<CardRow | undefined> {
  const [row] = workspaceId
    ? await db<CardRow[]>`
        select * from cards where workspace_id = ${workspaceId} and card_status <> 'TERMINATED' and expiration_time < ${clock.now(workspaceId)}
        order by expiration_time limit 1 for update skip locked`
    : await db<CardRow[]>`
        select k.* from cards k join workspace_times(${clock.now()}) t on t.workspace_id = k.workspace_id
        where k.card_status <> 'TERMINATED' and k.expiration_time < t.now
          -- The index range ends at the furthest clock: the round reads the cards that may have
          -- expired, not every live card.
          and k.expiration_time < furthest_workspace_time(${clock.now()})
        order by k.expiration_time limit 1 for update of k skip locked`
  return row
}

/** The first instant past the next unrecorded card expiry of a workspace (a card expires once its time has passed), up to `until`. */
export async function nextCardExpiry(db: Queryable, workspaceId: string, until: Date): Promise<Date | undefined> {
  const [row] = await db<{ at: Date | null }[]>`
    select min(expiration_time) + interval '1 millisecond' as at from cards
    where workspace_id = ${workspaceId} and card_status <> 'TERMINATED' and expiration_time < ${until}`
  return row?.at ?? undefined
}
