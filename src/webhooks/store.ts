import type { Queryable, Sql, Tx } from '../platform/db.js'
import type { Page } from '../platform/pagination.js'
import { renderEventResources } from '../platform/events.js'

export const deliveryNotifyChannel = 'keel_webhook_deliveries'

export interface WebhookRow {
  workspace_id: string
  id: string
  url: string
  enabled_events: string[]
  is_enabled: boolean
  description: string | null
  metadata: string | null
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
}

export type DeliveryStatus = 'RUNNING' | 'RETRYING' | 'SUCCESS' | 'FAILED'

export interface AttemptRecord { sent_time: string; response_time: string; code: number; response_body: string }

/** A delivery joined with its event: one row of a webhook's event log. */
export interface DeliveryRow {
  webhook_id: string
  event_id: string
  status: DeliveryStatus
  attempts: number
  next_attempt_at: Date | null
  round_started_at: Date | null
  response_history: AttemptRecord[]
  type: string
  resource_id: string
  resource: unknown
  /** Set when the event is stored by view: its resource is rendered on read (platform/events.ts). */
  resource_view: string | null
  changed_fields: Record<string, unknown> | null
  event_time: Date
}

// ---- webhooks

export async function insertWebhook(db: Queryable, row: WebhookRow): Promise<void> {
  await db`insert into webhooks ${db(row as never)}`
}

export async function getWebhook(db: Queryable, workspaceId: string, id: string, lock = false): Promise<WebhookRow | undefined> {
  const [row] = await db<WebhookRow[]>`
    select * from webhooks where workspace_id = ${workspaceId} and id = ${id} and deleted_at is null
    ${lock ? db`for no key update` : db``}`
  return row
}

export async function countLiveWebhooks(db: Queryable, workspaceId: string): Promise<number> {
  const [{ n }] = await db<{ n: number }[]>`select count(*)::int as n from webhooks where workspace_id = ${workspaceId} and deleted_at is null`
  return n
}

/** Serialises webhook creation in a workspace, so its limit holds under concurrent requests. */
export async function lockWebhookCreation(tx: Tx, workspaceId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${'webhooks-create/' + workspaceId}, 0))`
}

export async function listWebhooks(db: Queryable, workspaceId: string, enabledOnly: boolean, page: Page): Promise<WebhookRow[]> {
  return db<WebhookRow[]>`
    select * from webhooks
    where workspace_id = ${workspaceId} and deleted_at is null
      ${enabledOnly ? db`and is_enabled` : db``}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

export async function updateWebhook(db: Queryable, row: WebhookRow): Promise<void> {
  await db`
    update webhooks set url = ${row.url}, enabled_events = ${row.enabled_events}, is_enabled = ${row.is_enabled},
      description = ${row.description}, metadata = ${row.metadata}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

/** Soft-deletes a webhook and ends its pending deliveries, so nothing more is sent for it. */
export async function deleteWebhook(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean> {
  const rows = await tx`update webhooks set deleted_at = ${now}, updated_at = ${now}
                        where workspace_id = ${workspaceId} and id = ${id} and deleted_at is null returning id`
  if (rows.length === 0) return false
  await tx`update webhook_deliveries set status = 'FAILED', next_attempt_at = null
           where workspace_id = ${workspaceId} and webhook_id = ${id} and status in ('RUNNING', 'RETRYING')`
  return true
}

// ---- secrets

export interface SecretRow {
  workspace_id: string
  secret_encrypted: string
  previous_secret_encrypted: string | null
  previous_expires_at: Date | null
  created_at: Date
  updated_at: Date
}

export async function getSecret(db: Queryable, workspaceId: string, lock = false): Promise<SecretRow | undefined> {
  const [row] = await db<SecretRow[]>`select * from webhook_secrets where workspace_id = ${workspaceId} ${lock ? db`for update` : db``}`
  return row
}

/** Inserts the workspace's first secret; false when one exists already. */
export async function insertSecret(db: Queryable, row: SecretRow): Promise<boolean> {
  const rows = await db`insert into webhook_secrets ${db(row as never)} on conflict (workspace_id) do nothing returning workspace_id`
  return rows.length === 1
}

export async function saveSecret(db: Queryable, row: SecretRow): Promise<void> {
  await db`
    update webhook_secrets set secret_encrypted = ${row.secret_encrypted}, previous_secret_encrypted = ${row.previous_secret_encrypted},
      previous_expires_at = ${row.previous_expires_at}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id}`
}

export async function deleteSecret(db: Queryable, workspaceId: string): Promise<void> {
  await db`delete from webhook_secrets where workspace_id = ${workspaceId}`
}

// ---- the event log of one webhook

const deliveryColumns = (db: Queryable) => db`
  d.webhook_id, d.event_id, d.status, d.attempts, d.next_attempt_at, d.round_started_at, d.response_history,
  e.type, e.resource_id, e.resource, e.resource_view, e.changed_fields, e.event_time`

export interface DeliveryFilter { resourceId?: string; from?: Date; to?: Date }

export async function listDeliveries(db: Queryable, workspaceId: string, webhookId: string, filter: DeliveryFilter, page: Page): Promise<DeliveryRow[]> {
  const rows = await db<DeliveryRow[]>`
    select ${deliveryColumns(db)}
    from webhook_deliveries d join events e on e.workspace_id = d.workspace_id and e.id = d.event_id
    where d.workspace_id = ${workspaceId} and d.webhook_id = ${webhookId}
      ${filter.resourceId ? db`and e.resource_id = ${filter.resourceId}` : db``}
      ${filter.from ? db`and e.event_time >= ${filter.from}` : db``}
      ${filter.to ? db`and e.event_time <= ${filter.to}` : db``}
      ${page.afterId ? db`and d.event_id > ${page.afterId}` : db``}
    order by d.event_id limit ${page.limit + 1}`
  return renderEventResources(db, workspaceId, rows)
}

export async function getDelivery(db: Queryable, workspaceId: string, webhookId: string, eventId: string): Promise<DeliveryRow | undefined> {
  const [row] = await db<DeliveryRow[]>`
    select ${deliveryColumns(db)}
    from webhook_deliveries d join events e on e.workspace_id = d.workspace_id and e.id = d.event_id
    where d.workspace_id = ${workspaceId} and d.webhook_id = ${webhookId} and d.event_id = ${eventId}`
  return row && (await renderEventResources(db, workspaceId, [row]))[0]
}

/** Starts a new round of attempts for one delivery, due at `at`, and wakes the dispatchers. */
export async function scheduleResend(tx: Tx, workspaceId: string, webhookId: string, eventId: string, at: Date): Promise<void> {
  await tx`update webhook_deliveries set status = 'RUNNING', attempts = 0, round_started_at = null, next_attempt_at = ${at}
           where workspace_id = ${workspaceId} and webhook_id = ${webhookId} and event_id = ${eventId}`
  await tx`select pg_notify(${deliveryNotifyChannel}, '')`
}

// ---- the dispatcher's queue

export interface Lane { workspace_id: string; webhook_id: string }

/** Deliveries due now or earlier and not yet made, and when the oldest of them came due: the dispatchers' backlog. */
export async function deliveryBacklog(sql: Sql, now: Date): Promise<{ due: number; oldestDueAt: Date | null }> {
  const [row] = await sql<{ due: number; oldest_ms: number | string | null }[]>`
    select count(*)::int as due,
      -- A first attempt is due at once ('-infinity'): it has waited since its event.
      (extract(epoch from min(case when d.next_attempt_at = '-infinity' then e.event_time else d.next_attempt_at end)) * 1000)::float8 as oldest_ms
    from webhook_deliveries d join events e on e.workspace_id = d.workspace_id and e.id = d.event_id
    where d.status in ('RUNNING', 'RETRYING') and d.next_attempt_at <= ${now}`
  return { due: row.due, oldestDueAt: row.oldest_ms === null ? null : new Date(Number(row.oldest_ms)) }
}

/**
 * Live, enabled webhooks that have a delivery due, in random order: when more webhooks have work
 * than a dispatcher has lanes, busy ones cannot starve the others. Due by each workspace's clock:
 * `realNow` plus the workspace's offset (a sandbox clock moved forward brings its retries due).
 */
export async function findDueLanes(sql: Sql, realNow: Date, limit: number): Promise<Lane[]> {
  return sql<Lane[]>`
    select w.workspace_id, w.id as webhook_id from webhooks w join workspace_times(${realNow}) t on t.workspace_id = w.workspace_id
    where w.deleted_at is null and w.is_enabled and exists (
      select 1 from webhook_deliveries d
      where d.workspace_id = w.workspace_id and d.webhook_id = w.id
        and d.status in ('RUNNING', 'RETRYING') and d.next_attempt_at <= t.now)
    order by random() limit ${limit}`
}

/** When the workspace's next webhook retry falls due, if at or before `until`. */
export async function nextRetry(db: Queryable, workspaceId: string, until: Date): Promise<Date | undefined> {
  const [row] = await db<{ at: Date | null }[]>`
    select min(next_attempt_at) as at from webhook_deliveries
    where workspace_id = ${workspaceId} and status = 'RETRYING' and next_attempt_at <= ${until}`
  return row?.at ?? undefined
}

/** Wakes every process's dispatcher (a sandbox clock moved, bringing retries due). */
export async function wakeDispatchers(db: Queryable): Promise<void> {
  await db`select pg_notify(${deliveryNotifyChannel}, '')`
}

/**
 * One dispatcher at a time works a webhook (its lane), for as long as its transaction lasts:
 * deliveries to one receiver then go out in event order, and two processes never send the same
 * one. A transaction-scoped advisory lock, so a crashed process frees the lane at once.
 */
export async function tryLockLane(tx: Tx, lane: Lane): Promise<boolean> {
  const [{ locked }] = await tx<{ locked: boolean }[]>`
    select pg_try_advisory_xact_lock(hashtextextended(${'webhook-lane/' + lane.webhook_id}, 0)) as locked`
  return locked
}

/** The due deliveries of a lane, oldest event first, locked until the transaction ends. */
export async function claimDue(tx: Tx, lane: Lane, now: Date, limit: number): Promise<DeliveryRow[]> {
  const rows = await tx<DeliveryRow[]>`
    select ${deliveryColumns(tx)}
    from webhook_deliveries d join events e on e.workspace_id = d.workspace_id and e.id = d.event_id
    where d.workspace_id = ${lane.workspace_id} and d.webhook_id = ${lane.webhook_id}
      and d.status in ('RUNNING', 'RETRYING') and d.next_attempt_at <= ${now}
    order by d.event_id limit ${limit}
    for update of d skip locked`
  return renderEventResources(tx, lane.workspace_id, rows)
}

export interface AttemptResult {
  event_id: string
  status: DeliveryStatus
  attempts: number
  next_attempt_at: Date | null
  round_started_at: Date
  response_history: AttemptRecord[]
}

/** Records a batch of attempts in one statement. */
export async function recordAttempts(tx: Tx, lane: Lane, results: AttemptResult[]): Promise<void> {
  await tx`
    update webhook_deliveries d set status = v.status, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
      round_started_at = v.round_started_at, response_history = v.response_history::jsonb
    from (select * from unnest(
      ${results.map((r) => r.event_id)}::uuid[], ${results.map((r) => r.status)}::text[], ${results.map((r) => r.attempts)}::int[],
      ${results.map((r) => r.next_attempt_at?.toISOString() ?? null)}::timestamptz[], ${results.map((r) => r.round_started_at.toISOString())}::timestamptz[],
      ${results.map((r) => JSON.stringify(r.response_history))}::text[]
    ) as t(event_id, status, attempts, next_attempt_at, round_started_at, response_history)) as v
    where d.workspace_id = ${lane.workspace_id} and d.webhook_id = ${lane.webhook_id} and d.event_id = v.event_id`
}
