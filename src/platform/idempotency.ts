// Idempotency-Key: the one implementation, for ordinary mutations (runMutation, one request in its
// own transaction) and for requests that share a transaction (the ledger's group commit, through
// claimKeys and storeOutcomes). Either way, a key's outcome commits with the change it records.

import { sha256Hex } from './crypto.js'
import { isoString } from './clock.js'
import { plainArray, textArray, type Queryable, type Sql, type Tx, type Unsent } from './db.js'
import { ApiError } from './errors.js'
import { withFields } from './objects.js'
import { renderByView } from './resource-views.js'

export const idempotencyKeyLengthMax = 255
/**
 * How long a key's outcome is kept: a retry within this window replays it; after it, the key is
 * free again. 24 hours, as Stripe and most payment APIs keep theirs (Synctera documents none).
 */
export const idempotencyKeyRetentionMs = 24 * 60 * 60 * 1000

/**
 * A keyed change's answer. `json` is the body already serialized, the exact text stored with its
 * key: sent as it is (sendOutcome), so a body is serialized once for the reply and the store.
 */
export interface Outcome { status: number; body: unknown; replayed?: boolean; json?: string }

/**
 * An outcome to store: the body as an object, or already serialized (`json`, the exact text sent),
 * or, for an answer no later change can alter, the registered view that renders it from its
 * resource (`view`, resource-views.ts): a replay renders it then, and nothing of it is stored. Only
 * in a transaction that writes an event too, whose wipe lock (migration 0500) keeps a wipe from
 * deleting the resource between this transaction and the wipe's rendering of its outcomes.
 */
export interface StoredOutcome { status: number; body?: unknown; json?: string; view?: { name: string; resourceId: string } }

/**
 * What identifies a request for Idempotency-Key reuse: its method, its URL and its body as sent (the
 * bytes its parser kept, `req.bodyBytes`; null without a body). The same key with a different
 * request is refused (IDEMPOTENCY_INVALID_REUSE); a retry sends the same bytes.
 */
export interface RequestIdentity { method: string; url: string; payload: Buffer | null }

/** A Fastify request's identity. */
export function identityOf(req: { method: string; url: string; bodyBytes: Buffer | null }): RequestIdentity {
  return { method: req.method, url: req.url, payload: req.bodyBytes }
}

const noPayload = Buffer.from('null')

/**
 * The hash stored with a key's outcome: of the body's bytes as sent, not of the parsed body
 * serialized again (a JSON.stringify of every keyed body, about 2% of the server's instructions per
 * internal transfer: docs/throughput/ledger.md). For compact JSON as JSON.stringify writes it, what most
 * clients send, it equals the hashes stored before 2026-12-03, which were of the parsed body written
 * so; a body spaced otherwise hashes as sent.
 */
export function requestHashOf(request: RequestIdentity): string {
  return sha256Hex(Buffer.concat([Buffer.from(`${request.method} ${request.url}\n`), request.payload ?? noPayload]))
}

/** A key presented with a request, at its workspace's time: claimed in a transaction by claimKeys. */
export interface KeyClaim { workspaceId: string; key: string; requestHash: string; now: Date }

/** The claim a request makes with the key it sent (checked), at its workspace's time; undefined without a key. */
export function keyClaimOf(workspaceId: string, header: string | string[] | undefined, request: RequestIdentity, now: Date): KeyClaim | undefined {
  const key = keyFromHeader(header)
  return key === undefined ? undefined : { workspaceId, key, requestHash: requestHashOf(request), now }
}

/** The Idempotency-Key header's value, checked: undefined when the request sent none. */
export function keyFromHeader(header: string | string[] | undefined): string | undefined {
  if (Array.isArray(header)) throw new ApiError('BAD_REQUEST', 'send one Idempotency-Key header')
  if (header !== undefined && (header.length === 0 || header.length > idempotencyKeyLengthMax)) {
    throw new ApiError('BAD_REQUEST', `Idempotency-Key must be 1 to ${idempotencyKeyLengthMax} characters`)
  }
  return header
}

interface StoredRow {
  workspace_id: string; key: string; request_hash: string; response_status: number; response_body: string | null
  response_view: string | null; response_resource_id: string | null; created_at: Date
}

const expired = (claim: KeyClaim, prior: StoredRow): boolean => prior.created_at.getTime() + idempotencyKeyRetentionMs <= claim.now.getTime()

/**
 * What a claim meets: nothing to replay (undefined), a refusal, or the stored outcome to replay.
 * The answer of an outcome stored by view is its resource rendered now (`rendered`, the same for an
 * answer no later change alters); of one stored as text, that text.
 */
function outcomeOf(claim: KeyClaim, prior: StoredRow | undefined, rendered?: unknown): Outcome | ApiError | undefined {
  if (!prior || expired(claim, prior)) return undefined
  if (prior.request_hash !== claim.requestHash) return new ApiError('IDEMPOTENCY_INVALID_REUSE', 'this Idempotency-Key was used with a different request')
  if (prior.response_view !== null) return { status: prior.response_status, body: rendered, json: JSON.stringify(rendered), replayed: true }
  return { status: prior.response_status, body: prior.response_body === null ? null : JSON.parse(prior.response_body), json: prior.response_body ?? undefined, replayed: true }
}

/** The rendered answers of the outcomes stored by view among these (to replay), in their order; undefined for the rest. */
function renderedReplays(db: Queryable, claims: readonly KeyClaim[], priors: readonly (StoredRow | undefined)[]): Promise<unknown[]> {
  return renderByView(db, priors.map((p, n) => (p && p.response_view !== null && !expired(claims[n], p) && p.request_hash === claims[n].requestHash
    ? { workspaceId: p.workspace_id, view: p.response_view, resourceId: p.response_resource_id! }
    : { workspaceId: claims[n].workspaceId, view: null, resourceId: '' })))
}

/**
 * Claims keys in the caller's transaction, with one statement for the locks and one for the stored
 * outcomes (pipelined): a transaction-scoped advisory lock per key (held elsewhere: another request
 * with it is in flight → IDEMPOTENCY_CONCURRENT_USE), then the stored outcome, read after the lock so
 * a just-committed one is seen (→ replay, or IDEMPOTENCY_INVALID_REUSE for a different request).
 * Undefined for a key that is free: its request runs, and storeOutcomes records what it did. The
 * outcome of a key past the retention window is deleted here (under the key's lock), so that
 * storeOutcomes only ever inserts. A replay stored by view costs its view's reads besides.
 */
export async function claimKeys(tx: Queryable, claims: KeyClaim[]): Promise<(Outcome | ApiError | undefined)[]> {
  if (claims.length === 0) return []
  const workspaceIds = plainArray(claims.map((k) => k.workspaceId))
  const keys = textArray(claims.map((k) => k.key))
  const [locks, prior] = await Promise.all([
    tx<{ n: number; locked: boolean }[]>`
      select n::int, pg_try_advisory_xact_lock(hashtextextended(w::text || '/' || k, 0)) as locked
      from unnest(${workspaceIds}::uuid[], ${keys}::text[]) with ordinality as x(w, k, n) order by n`,
    tx<StoredRow[]>`
      select i.workspace_id, i.key, i.request_hash, i.response_status, i.response_body, i.response_view, i.response_resource_id, i.created_at
      from idempotency_keys i join (select unnest(${workspaceIds}::uuid[]) as w, unnest(${keys}::text[]) as k) as x on i.workspace_id = x.w and i.key = x.k`,
  ])
  const priorByKey = new Map(prior.map((r) => [`${r.workspace_id}/${r.key}`, r]))
  // A key another request holds is refused before its stored outcome is looked at.
  const priors = claims.map((c, n) => (locks[n].locked ? priorByKey.get(`${c.workspaceId}/${c.key}`) : undefined))
  const rendered = await renderedReplays(tx, claims, priors)
  const taken: StoredRow[] = []
  const outcomes = claims.map((c, n) => {
    if (!locks[n].locked) return new ApiError('IDEMPOTENCY_CONCURRENT_USE', 'a request with this Idempotency-Key is still in progress')
    const p = priors[n]
    if (p && expired(c, p)) taken.push(p)
    return outcomeOf(c, p, rendered[n])
  })
  if (taken.length) {
    await tx`delete from idempotency_keys i using (select unnest(${taken.map((p) => p.workspace_id)}::uuid[]) as w, unnest(${taken.map((p) => p.key)}::text[]) as k) as x
             where i.workspace_id = x.w and i.key = x.k`
  }
  return outcomes
}

/** The SQLSTATE with which expectKeysFree fails its transaction (expect_none, migration 1600). */
export const keysNotFree = 'KI001'

/**
 * claimKeys for a transaction that decides without reading first: one statement, sent with its
 * writes, that takes the same advisory locks and fails the transaction (keysNotFree) unless every
 * key is free: none held by a request in flight, none with a stored outcome, not even one past the
 * retention window (claimKeys deletes those). The caller then runs its requests again through
 * claimKeys, which answers each with its replay or refusal.
 */
export function expectKeysFree(tx: Queryable, claims: KeyClaim[]): Unsent {
  return tx`select expect_none(idempotency_keys_taken(${plainArray(claims.map((k) => k.workspaceId))}::uuid[], ${textArray(claims.map((k) => k.key))}::text[]), ${keysNotFree}, ${`of ${claims.length} Idempotency-Keys are not free`})`
}

/**
 * Records outcomes of keys claimed in this transaction (claimKeys), in one statement. Each body is
 * stored as the text sent: `json` when the caller serialized it already, else JSON of `body`.
 */
export function storeOutcomes(tx: Queryable, outcomes: (KeyClaim & StoredOutcome)[]): Unsent {
  return tx`
    insert into idempotency_keys (workspace_id, key, request_hash, response_status, response_body, response_view, response_resource_id, created_at)
    select unnest(${plainArray(outcomes.map((o) => o.workspaceId))}::uuid[]), unnest(${textArray(outcomes.map((o) => o.key))}::text[]),
      unnest(${textArray(outcomes.map((o) => o.requestHash))}::text[]), unnest(${plainArray(outcomes.map((o) => o.status))}::int4[]),
      unnest(${textArray(outcomes.map((o) => (o.view ? null : o.json ?? JSON.stringify(o.body ?? null))))}::text[]),
      unnest(${textArray(outcomes.map((o) => o.view?.name))}::text[]), unnest(${plainArray(outcomes.map((o) => o.view?.resourceId))}::uuid[]),
      unnest(${plainArray(outcomes.map((o) => isoString(o.now)))}::timestamptz[])`
}

/**
 * The stored outcome of a request made earlier with this key, replayed (or
 * IDEMPOTENCY_INVALID_REUSE for a different request); undefined when there is none. For a path
 * that decides something before its transaction (a lookup whose answer may since have changed) and
 * must answer a retry with what was done, not with what would be done now.
 */
export async function storedOutcome(sql: Sql, claim: KeyClaim): Promise<Outcome | undefined> {
  const [prior] = await sql<StoredRow[]>`
    select workspace_id, key, request_hash, response_status, response_body, response_view, response_resource_id, created_at
    from idempotency_keys where workspace_id = ${claim.workspaceId} and key = ${claim.key}`
  const [rendered] = await renderedReplays(sql, [claim], [prior])
  const outcome = outcomeOf(claim, prior, rendered)
  if (outcome instanceof ApiError) throw outcome
  return outcome
}

/**
 * Runs a mutation in one transaction. With an Idempotency-Key, the stored outcome is written in
 * that same transaction, so a change and the record of it commit together or not at all: a retry
 * after a crash either replays the stored response or runs the change for the first time.
 * The key's advisory lock turns a concurrent duplicate into IDEMPOTENCY_CONCURRENT_USE instead of
 * a second change; commit or rollback releases it, so a crashed request never leaves a key stuck.
 * Failed requests are not stored: they changed nothing, so running them again is safe.
 */
export async function runMutation(
  sql: Sql,
  workspaceId: string,
  key: string | undefined,
  request: RequestIdentity,
  now: Date,
  change: (tx: Tx) => Promise<Outcome>,
): Promise<Outcome> {
  const claim = keyClaimOf(workspaceId, key, request, now)
  if (claim === undefined) return sql.begin((tx) => change(tx)) as Promise<Outcome>
  return sql.begin(async (tx) => {
    const [prior] = await claimKeys(tx, [claim])
    if (prior instanceof ApiError) throw prior
    if (prior) return prior
    const outcome = await change(tx)
    const json = outcome.json ?? JSON.stringify(outcome.body ?? null)
    await storeOutcomes(tx, [withFields(claim, { status: outcome.status, json })])
    return withFields(outcome, { json })
  }) as Promise<Outcome>
}

/**
 * Writes the rendered answers into a workspace's outcomes stored by view, before the rows their views
 * read are deleted (POST /v0/wipe keeps keys, so a retry after a wipe still replays). Pages of
 * `pageSize` outcomes; how many it wrote.
 */
export async function materializeOutcomeViews(db: Queryable, workspaceId: string, pageSize = 1000): Promise<number> {
  let done = 0
  let after = ''
  for (;;) {
    // Keyset pages along the primary key: each page reads on from the last, not from the start.
    const rows = await db<{ key: string; response_view: string; response_resource_id: string }[]>`
      select key, response_view, response_resource_id from idempotency_keys
      where workspace_id = ${workspaceId} and key > ${after} and response_view is not null order by key limit ${pageSize}`
    if (rows.length === 0) return done
    after = rows[rows.length - 1].key
    const rendered = await renderByView(db, rows.map((r) => ({ workspaceId, view: r.response_view, resourceId: r.response_resource_id })))
    await db`update idempotency_keys i set response_body = v.body, response_view = null, response_resource_id = null
             from (select unnest(${textArray(rows.map((r) => r.key))}::text[]) as key, unnest(${textArray(rendered.map((r) => JSON.stringify(r)))}::text[]) as body) as v
             where i.workspace_id = ${workspaceId} and i.key = v.key`
    done += rows.length
  }
}

/** Deletes outcomes older than the retention window, a page at a time; how many it deleted. */
export async function purgeExpiredKeys(sql: Sql, realNow: Date, pageSize: number): Promise<number> {
  const cutoff = new Date(realNow.getTime() - idempotencyKeyRetentionMs)
  const rows = await sql`
    delete from idempotency_keys where ctid = any(array(select ctid from idempotency_keys where created_at < ${cutoff} limit ${pageSize}))`
  return rows.count
}

/** How often each process purges outcomes past the retention window, and how many per statement. */
export const keyPurgeIntervalMs = 10 * 60 * 1000
export const keyPurgePageSize = 1000

/**
 * The background purge: every keyPurgeIntervalMs, deletes the outcomes past the retention window
 * a page at a time until none is left. Returns the function that stops it.
 */
export function startKeyPurge(sql: Sql, onError: (err: unknown) => void): () => Promise<void> {
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()
  const round = async () => {
    while (!stopped && (await purgeExpiredKeys(sql, new Date(), keyPurgePageSize)) === keyPurgePageSize) { /* another page */ }
  }
  const timer = setInterval(() => { running = round().catch(onError) }, keyPurgeIntervalMs)
  timer.unref()
  return async () => {
    stopped = true
    clearInterval(timer)
    await running
  }
}
