import type { Queryable } from '../../platform/db.js'

export interface LinkTokenRow {
  token_sha256: string
  client_id: string
  client_name: string
  products: string[]
  language: string
  redirect_uri: string | null
  item_id: string | null
  created_at: Date
  expires_at: Date
}

export interface ItemRow {
  item_id: string
  access_token_sha256: string | null
  client_id: string
  institution_id: string
  username: string
  products: string[]
  account_masks: string[] | null
  error_code: string | null
  created_at: Date
  removed_at: Date | null
}

export async function insertLinkToken(db: Queryable, row: LinkTokenRow): Promise<void> {
  await db`insert into plaid_sandbox_link_tokens ${db(row as never)}`
}

export async function getLinkToken(db: Queryable, tokenSha256: string): Promise<LinkTokenRow | undefined> {
  const [row] = await db<LinkTokenRow[]>`select * from plaid_sandbox_link_tokens where token_sha256 = ${tokenSha256}`
  return row
}

export async function insertItem(db: Queryable, row: ItemRow): Promise<void> {
  await db`insert into plaid_sandbox_items ${db(row as never)}`
}

export async function getItem(db: Queryable, itemId: string): Promise<ItemRow | undefined> {
  const [row] = await db<ItemRow[]>`select * from plaid_sandbox_items where item_id = ${itemId}`
  return row
}

export async function getItemByAccessToken(db: Queryable, accessTokenSha256: string): Promise<ItemRow | undefined> {
  const [row] = await db<ItemRow[]>`select * from plaid_sandbox_items where access_token_sha256 = ${accessTokenSha256} and removed_at is null`
  return row
}

export async function setItemError(db: Queryable, itemId: string, errorCode: string | null): Promise<void> {
  await db`update plaid_sandbox_items set error_code = ${errorCode} where item_id = ${itemId}`
}

/** Link in update mode: the login works again, with the accounts the person chose. */
export async function repairItem(db: Queryable, itemId: string, accountMasks: string[] | null): Promise<void> {
  await db`update plaid_sandbox_items set error_code = null, account_masks = ${accountMasks} where item_id = ${itemId}`
}

export async function removeItem(db: Queryable, itemId: string, at: Date): Promise<void> {
  await db`update plaid_sandbox_items set removed_at = ${at} where item_id = ${itemId}`
}

export async function insertPublicToken(db: Queryable, row: { token_sha256: string; item_id: string; created_at: Date; expires_at: Date }): Promise<void> {
  await db`insert into plaid_sandbox_public_tokens ${db(row as never)}`
}

/**
 * A public token not yet exchanged, locked until the transaction ends (so it is spent once), with
 * when it expires and the client whose item it opens (the clock it was made on); undefined if
 * unknown or spent.
 */
export async function unspentPublicToken(db: Queryable, tokenSha256: string): Promise<{ item_id: string; expires_at: Date; client_id: string } | undefined> {
  const [row] = await db<{ item_id: string; expires_at: Date; client_id: string }[]>`
    select t.item_id, t.expires_at, i.client_id from plaid_sandbox_public_tokens t join plaid_sandbox_items i on i.item_id = t.item_id
    where t.token_sha256 = ${tokenSha256} and t.exchanged_at is null
    for update of t`
  return row
}

/**
 * Spends a public token unspentPublicToken locked: the item gets its access token (by hash) and
 * belongs, from now on, to the client that exchanged it.
 */
export async function exchangePublicToken(db: Queryable, tokenSha256: string, itemId: string, accessTokenSha256: string, clientId: string, now: Date): Promise<void> {
  await db`update plaid_sandbox_public_tokens set exchanged_at = ${now} where token_sha256 = ${tokenSha256}`
  await db`update plaid_sandbox_items set access_token_sha256 = ${accessTokenSha256}, client_id = ${clientId} where item_id = ${itemId}`
}
