// SQL for customer accounts: rows, filters and keyset pages. Balances and limits live in the
// ledger's rows and change only through src/accounts/ledger-port.ts.

import type { Queryable } from '../../platform/db.js'
import { likePattern, type Page } from '../../platform/pagination.js'
import { assert } from '../../platform/assert.js'
import { joinFragments, keysetAfter, orderBy, type SortKey } from '../../platform/sorting.js'

export interface AccountRow {
  workspace_id: string
  id: string
  account_type: string
  account_template_id: string | null
  status: string
  access_status: string
  customer_type: string | null
  nickname: string | null
  interest_product_id: string | null
  general_ledger_type: string | null
  fields: Record<string, unknown>
  access_status_updated_at: Date | null
  created_at: Date
  updated_at: Date
}

export async function insertAccount(db: Queryable, row: AccountRow): Promise<void> {
  await db`insert into accounts ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}
export async function getAccount(db: Queryable, workspaceId: string, id: string, lock = false): Promise<AccountRow | undefined> {
  const [row] = lock
    ? await db<AccountRow[]>`select * from accounts where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<AccountRow[]>`select * from accounts where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
/** Records that the account changed at `at` through something kept beside its row (its relationships). */
export async function touchAccount(db: Queryable, workspaceId: string, id: string, at: Date): Promise<void> {
  await db`update accounts set updated_at = ${at} where workspace_id = ${workspaceId} and id = ${id}`
}
export async function updateAccount(db: Queryable, row: AccountRow): Promise<void> {
  await db`update accounts set status = ${row.status}, access_status = ${row.access_status}, nickname = ${row.nickname},
             interest_product_id = ${row.interest_product_id}, fields = ${db.json(row.fields as never)},
             access_status_updated_at = ${row.access_status_updated_at}, updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export interface AccountFilter {
  id?: string[]; account_number?: string[]; status?: string[]; account_type?: string; customer_type?: string; nickname?: string
  person_id?: string[]; business_id?: string[]; customer_id?: string; interest_product_id?: string; general_ledger_type?: string
  first_name?: string; last_name?: string; linked_account_id?: string[]; overflow_account_id?: string[]; overdraft_account_id?: string[]
  spend_control_ids?: string[]
}

export type AccountSortKey = 'account_number' | 'account_type' | 'first_name' | 'last_name'
export type AccountSort = SortKey<AccountSortKey>[]
/** sort_by's fields: each sorts by the store key of the same name. */
export const accountSortFields: Readonly<Record<string, AccountSortKey>> = { account_number: 'account_number', account_type: 'account_type', first_name: 'first_name', last_name: 'last_name' }

/** The holder whose name an account sorts by: its primary holder, else its first person. */
const holderName = (db: Queryable, alias: string, column: 'first_name' | 'last_name') => db`coalesce((
  select p.${db(column)} from account_relationships r join persons p on p.workspace_id = r.workspace_id and p.id = r.person_id
  where r.workspace_id = ${db(alias)}.workspace_id and r.account_id = ${db(alias)}.id
  order by (r.relationship_type = 'PRIMARY_ACCOUNT_HOLDER') desc, r.id limit 1), '')`

// Never NULL (the holder name is '' when the account has no person, or the person no such name),
// as keysetAfter requires.
const sortExpression = (db: Queryable, key: AccountSortKey, alias: string, ledgerAlias: string) =>
  key === 'account_number' ? db`${db(ledgerAlias)}.account_number`
    : key === 'account_type' ? db`${db(alias)}.account_type`
      : holderName(db, alias, key)

/** Where a page resumes: the last account shown, and its values of the sort keys, read again. */
export interface AccountAnchor { id: string; values: string[] }

/** An account's values of the sort keys (all text), in the sort's order; undefined when there is no such account. */
export async function accountSortValues(db: Queryable, workspaceId: string, id: string, sort: AccountSort): Promise<string[] | undefined> {
  assert(sort.length > 0, 'an unsorted page resumes after an id alone')
  const [row] = await db<{ values: string[] }[]>`
    select array[${joinFragments(db, sort.map((s) => sortExpression(db, s.key, 'a', 'l')), db`,`)}]::text[] as values
    from accounts a join ledger_accounts l on l.workspace_id = a.workspace_id and l.id = a.id
    where a.workspace_id = ${workspaceId} and a.id = ${id}`
  return row?.values
}

// GENERAL_LEDGER accounts are listed only when asked for by account_type, as the spec says.
// Pages are keyset on (sort keys…, id), ties in creation order: the anchor is the last account
// shown, its sort values read again, so a page boundary holds while accounts are added.
export async function listAccounts(db: Queryable, workspaceId: string, f: AccountFilter, page: Page, sort: AccountSort, anchor: AccountAnchor | undefined): Promise<AccountRow[]> {
  assert(!anchor || anchor.values.length === sort.length, 'the anchor has a value for every sort key')
  const numbers = f.account_number ?? []
  // Each party filter narrows on its own: person_id and customer_id together ask for an account both hold.
  const heldBy = (ids: string[] | undefined, column: 'person_id' | 'business_id') => (ids?.length
    ? db`and exists (select 1 from account_relationships r where r.workspace_id = a.workspace_id and r.account_id = a.id and r.${db(column)} = any(${ids}::uuid[]))`
    : db``)
  // A floor's link is its linked_account_id or its deprecated alias overdraft_account_id; a
  // ceiling's, its linked_account_id or overflow_account_id (the spec's account schema).
  const floorLink = db`coalesce(a.fields->'balance_floor'->>'linked_account_id', a.fields->'balance_floor'->>'overdraft_account_id')`
  const ceilingLink = db`coalesce(a.fields->'balance_ceiling'->>'linked_account_id', a.fields->'balance_ceiling'->>'overflow_account_id')`
  const linkedTo = (link: typeof floorLink, ids: string[] | undefined) => (ids?.length ? db`and ${link} = any(${ids}::text[])` : db``)
  // As the persons list reads them: case-insensitive, `*` a wildcard, a first name matching the chosen name too.
  const name = (column: 'first_name' | 'last_name', v: string | undefined) => (!v ? db``
    : column === 'first_name' ? db`and (p.first_name ilike ${likePattern(v)} or p.fields->>'chosen_name' ilike ${likePattern(v)})`
    : db`and p.last_name ilike ${likePattern(v)}`)
  const keys = [...sort.map((s) => ({ expr: sortExpression(db, s.key, 'a', 'l'), descending: s.descending })), { expr: db`a.id`, descending: false }]
  const keyset = !anchor ? db`` : db`and ${keysetAfter(db, keys.map((k, i) => ({ ...k, value: i < sort.length ? anchor.values[i] : anchor.id })))}`
  return db<AccountRow[]>`
    select a.* from accounts a
    join ledger_accounts l on l.workspace_id = a.workspace_id and l.id = a.id
    where a.workspace_id = ${workspaceId}
      ${numbers.length === 1 ? db`and l.account_number like ${likePattern(numbers[0])}` : numbers.length > 1 ? db`and l.account_number = any(${numbers}::text[])` : db``}
      ${f.id?.length ? db`and a.id = any(${f.id}::uuid[])` : db``}
      ${f.status?.length ? db`and a.status = any(${f.status}::text[])` : db``}
      ${f.account_type ? db`and a.account_type = ${f.account_type}` : db`and a.account_type <> 'GENERAL_LEDGER'`}
      ${f.customer_type ? db`and a.customer_type = ${f.customer_type}` : db``}
      ${f.nickname ? db`and a.nickname = ${f.nickname}` : db``}
      ${f.interest_product_id ? db`and a.interest_product_id::text = any(${f.interest_product_id.split(',').map((id) => id.trim())}::text[])` : db``}
      ${f.general_ledger_type ? db`and a.general_ledger_type = ${f.general_ledger_type}` : db``}
      ${f.linked_account_id?.length ? db`and (${floorLink} = any(${f.linked_account_id}::text[]) or ${ceilingLink} = any(${f.linked_account_id}::text[]))` : db``}
      ${linkedTo(ceilingLink, f.overflow_account_id)}
      ${linkedTo(floorLink, f.overdraft_account_id)}
      ${f.spend_control_ids?.length ? db`and a.fields->'spend_control_ids' ?| ${f.spend_control_ids}::text[]` : db``}
      ${heldBy(f.person_id, 'person_id')}
      ${heldBy(f.customer_id ? [f.customer_id] : undefined, 'person_id')}
      ${heldBy(f.business_id, 'business_id')}
      ${f.first_name || f.last_name ? db`and exists (select 1 from account_relationships r join persons p on p.workspace_id = r.workspace_id and p.id = r.person_id
          where r.workspace_id = a.workspace_id and r.account_id = a.id ${name('first_name', f.first_name)} ${name('last_name', f.last_name)})` : db``}
      ${keyset}
    order by ${orderBy(db, keys)} limit ${page.limit + 1}`
}

/** Of the given persons and businesses, those that hold or share at least one account (for has_accounts). */
export async function partiesWithAccounts(db: Queryable, workspaceId: string, partyIds: string[]): Promise<Set<string>> {
  if (partyIds.length === 0) return new Set()
  const rows = await db<{ party_id: string }[]>`
    select distinct coalesce(person_id, business_id) as party_id from account_relationships
    where workspace_id = ${workspaceId} and (person_id = any(${partyIds}::uuid[]) or business_id = any(${partyIds}::uuid[]))`
  return new Set(rows.map((r) => r.party_id))
}

/** The ids among `ids` that name neither a customer account nor an internal account of the workspace. */
export async function unknownAccountIds(db: Queryable, workspaceId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db<{ id: string }[]>`
    select id from accounts where workspace_id = ${workspaceId} and id = any(${ids}::uuid[])
    union all select id from internal_accounts where workspace_id = ${workspaceId} and id = any(${ids}::uuid[])`
  const found = new Set(rows.map((r) => r.id))
  return ids.filter((id) => !found.has(id))
}

/** An account (or party) a transfer may mean, found by how one side of it names its account. */
export interface TransferAccountCandidate {
  side: 'originating' | 'receiving'
  /** How it was found: the alias's internal accounts, the customer's held accounts, the customer itself, the id sent beside a customer. */
  via: 'alias' | 'holder' | 'customer' | 'account'
  id: string
  currency: string | null
  status: string | null
}

type SideNames = { id?: string; alias?: string; customerId?: string }

/**
 * Everything the accounts named by alias or owner on either side of a transfer could be, in one
 * query: the internal accounts whose account_type the alias spells, the accounts the customer
 * holds (with one of `holderTypes`), the customer itself, and an id sent beside a customer.
 */
export async function transferAccountCandidates(db: Queryable, workspaceId: string, names: { originating: SideNames; receiving: SideNames }, holderTypes: readonly string[]): Promise<TransferAccountCandidate[]> {
  const { originating: o, receiving: r } = names
  return db<TransferAccountCandidate[]>`
    with names (side, alias, customer_id, account_id) as (values
      ('originating', ${o.alias?.toUpperCase() ?? null}::text, ${o.customerId ?? null}::uuid, ${o.id ?? null}::uuid),
      ('receiving', ${r.alias?.toUpperCase() ?? null}::text, ${r.customerId ?? null}::uuid, ${r.id ?? null}::uuid))
    select n.side, 'alias' as via, l.id, l.currency, l.status from names n
      join internal_accounts i on i.workspace_id = ${workspaceId} and i.fields->>'account_type' = n.alias
      join ledger_accounts l on l.workspace_id = i.workspace_id and l.id = i.id
    union all
    select n.side, 'holder', l.id, l.currency, l.status from names n
      join account_relationships ar on ar.workspace_id = ${workspaceId} and (ar.person_id = n.customer_id or ar.business_id = n.customer_id)
      join ledger_accounts l on l.workspace_id = ar.workspace_id and l.id = ar.account_id
      where ar.relationship_type = any(${[...holderTypes]}::text[])
    union all
    select n.side, 'customer', p.id, null, null from names n join persons p on p.workspace_id = ${workspaceId} and p.id = n.customer_id
    union all
    select n.side, 'customer', b.id, null, null from names n join businesses b on b.workspace_id = ${workspaceId} and b.id = n.customer_id
    union all
    select n.side, 'account', l.id, l.currency, l.status from names n
      join ledger_accounts l on l.workspace_id = ${workspaceId} and l.id = n.account_id
      where n.customer_id is not null`
}

/** How many accounts name each of these spend controls in their `spend_control_ids` (for the spend-controls domain). */
export async function accountsPerSpendControl(db: Queryable, workspaceId: string, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = await db<{ id: string; n: number }[]>`
    select s.id, count(a.id)::int as n from unnest(${ids}::text[]) as s(id)
    left join accounts a on a.workspace_id = ${workspaceId} and a.fields->'spend_control_ids' ? s.id
    group by s.id`
  return new Map(rows.map((r) => [r.id, r.n]))
}
