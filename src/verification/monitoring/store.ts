import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface SubscriptionRow {
  workspace_id: string
  id: string
  person_id: string | null
  business_id: string | null
  metadata: Record<string, unknown> | null
  created_at: Date
  updated_at: Date
}

export interface AlertRow {
  workspace_id: string
  id: string
  person_id: string | null
  business_id: string | null
  status: 'ACTIVE' | 'SUPPRESSED'
  alert_type: string
  title: string
  watchlist_source: string
  watchlist_entry_id: number
  score: string
  list_version: string
  vendor_info: Record<string, unknown>
  metadata: Record<string, unknown> | null
  created_at: Date
  updated_at: Date
}

export async function insertSubscription(db: Queryable, row: SubscriptionRow): Promise<void> {
  await db`insert into monitoring_subscriptions ${db({ ...row, metadata: row.metadata ? db.json(row.metadata as never) : null } as never)}`
}

export async function findSubscriptionFor(db: Queryable, workspaceId: string, party: { personId?: string; businessId?: string }): Promise<SubscriptionRow | undefined> {
  const [row] = await db<SubscriptionRow[]>`
    select * from monitoring_subscriptions where workspace_id = ${workspaceId}
      and ${party.personId ? db`person_id = ${party.personId}` : db`business_id = ${party.businessId!}`}`
  return row
}

export async function getSubscription(db: Queryable, workspaceId: string, id: string): Promise<SubscriptionRow | undefined> {
  const [row] = await db<SubscriptionRow[]>`select * from monitoring_subscriptions where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function deleteSubscription(db: Queryable, workspaceId: string, id: string): Promise<SubscriptionRow | undefined> {
  const [row] = await db<SubscriptionRow[]>`delete from monitoring_subscriptions where workspace_id = ${workspaceId} and id = ${id} returning *`
  return row
}

export interface PartyFilter { id?: string[]; person_id?: string[]; business_id?: string[] }

function filters(db: Queryable, filter: PartyFilter) {
  const any = (column: string, values: string[] | undefined) => (values?.length ? db`and ${db(column)} = any(${values}::uuid[])` : db``)
  return db`${any('id', filter.id)} ${any('person_id', filter.person_id)} ${any('business_id', filter.business_id)}`
}

export async function listSubscriptions(db: Queryable, workspaceId: string, filter: PartyFilter, page: Page): Promise<SubscriptionRow[]> {
  return db<SubscriptionRow[]>`
    select * from monitoring_subscriptions where workspace_id = ${workspaceId} ${filters(db, filter)}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

export async function listAlerts(db: Queryable, workspaceId: string, filter: PartyFilter, page: Page): Promise<AlertRow[]> {
  return db<AlertRow[]>`
    select * from monitoring_alerts where workspace_id = ${workspaceId} ${filters(db, filter)}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

export async function getAlert(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<AlertRow | undefined> {
  const [row] = await db<AlertRow[]>`
    select * from monitoring_alerts where workspace_id = ${workspaceId} and id = ${id} ${options.forUpdate ? db`for update` : db``}`
  return row
}

export async function updateAlert(db: Queryable, row: AlertRow): Promise<void> {
  await db`update monitoring_alerts set status = ${row.status}, metadata = ${row.metadata ? db.json(row.metadata as never) : null}, updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

/**
 * Inserts alerts, skipping any party already alerted about the same listed entry. Returns those
 * inserted. One statement per alert: alerts are rare (hits only), so batching would buy nothing.
 */
export async function insertAlerts(db: Queryable, rows: AlertRow[]): Promise<AlertRow[]> {
  const inserted: AlertRow[] = []
  for (const r of rows) {
    const [row] = await db<AlertRow[]>`
      insert into monitoring_alerts ${db({ ...r, vendor_info: db.json(r.vendor_info as never), metadata: r.metadata ? db.json(r.metadata as never) : null } as never)}
      on conflict do nothing
      returning *`
    if (row) inserted.push(row)
  }
  return inserted
}

/** What re-screening needs of a subscribed party, read in batches across all workspaces. */
export interface SubscribedParty {
  workspace_id: string
  id: string
  person_id: string | null
  business_id: string | null
  first_name: string | null
  middle_name: string | null
  last_name: string | null
  dob: string | null
  entity_name: string | null
  trade_names: string[] | null
  country_code: string | null
}

export async function subscribedPartiesAfter(db: Queryable, after: { workspace_id: string; id: string } | undefined, limit: number): Promise<SubscribedParty[]> {
  return db<SubscribedParty[]>`
    select s.workspace_id, s.id, s.person_id, s.business_id, p.first_name, p.fields ->> 'middle_name' as middle_name, p.last_name,
      to_char(p.dob, 'YYYY-MM-DD') as dob, b.entity_name, b.fields -> 'trade_names' as trade_names,
      coalesce(p.fields -> 'legal_address' ->> 'country_code', b.fields -> 'legal_address' ->> 'country_code') as country_code
    from monitoring_subscriptions s
      left join persons p on p.workspace_id = s.workspace_id and p.id = s.person_id
      left join businesses b on b.workspace_id = s.workspace_id and b.id = s.business_id
    ${after ? db`where (s.workspace_id, s.id) > (${after.workspace_id}::uuid, ${after.id}::uuid)` : db``}
    order by s.workspace_id, s.id limit ${limit}`
}
