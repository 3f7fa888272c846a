import { sha256Hex } from './crypto.js'
import type { Sql, Tx } from './db.js'
import { ApiError } from './errors.js'

export const idempotencyKeyLengthMax = 255

export interface Outcome { status: number; body: unknown; replayed?: boolean }

/** What identifies a request for Idempotency-Key reuse: method, URL and body. */
export function requestHashOf(request: { method: string; url: string; body: unknown }): string {
  return sha256Hex(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
}

/**
 * The stored outcome of a request made earlier with this key, replayed (or
 * IDEMPOTENCY_INVALID_REUSE for a different request); undefined when there is none. For a path
 * that decides something before its transaction (a gate, a lookup whose answer may since have
 * changed) and must answer a retry with what was done, not with what would be done now.
 */
export async function storedOutcome(sql: Sql, workspaceId: string, key: string, requestHash: string): Promise<Outcome | undefined> {
  const [prior] = await sql<{ request_hash: string; response_status: number; response_body: unknown }[]>`
    select request_hash, response_status, response_body from idempotency_keys where workspace_id = ${workspaceId} and key = ${key}`
  if (!prior) return undefined
  if (prior.request_hash !== requestHash) throw new ApiError('IDEMPOTENCY_INVALID_REUSE', 'this Idempotency-Key was used with a different request')
  return { status: prior.response_status, body: prior.response_body, replayed: true }
}

/**
 * Runs a mutation in one transaction. With an Idempotency-Key, the stored outcome is written in
 * that same transaction, so a change and the record of it commit together or not at all: a retry
 * after a crash either replays the stored response or runs the change for the first time.
 * A transaction-scoped advisory lock on the key turns a concurrent duplicate into
 * IDEMPOTENCY_CONCURRENT_USE instead of a second change; it is released by commit or rollback,
 * so a crashed request never leaves a key stuck. Failed requests are not stored: they changed
 * nothing, so running them again is safe.
 */
export async function runMutation(
  sql: Sql,
  workspaceId: string,
  key: string | undefined,
  request: { method: string; url: string; body: unknown },
  change: (tx: Tx) => Promise<Outcome>,
): Promise<Outcome> {
  if (key === undefined) return sql.begin((tx) => change(tx)) as Promise<Outcome>
  if (key.length === 0 || key.length > idempotencyKeyLengthMax) throw new ApiError('BAD_REQUEST', `Idempotency-Key must be 1 to ${idempotencyKeyLengthMax} characters`)
  const requestHash = requestHashOf(request)
  return sql.begin(async (tx) => {
    const [{ locked }] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(hashtextextended(${workspaceId + '/' + key}, 0)) as locked`
    if (!locked) throw new ApiError('IDEMPOTENCY_CONCURRENT_USE', 'a request with this Idempotency-Key is still in progress')
    const [prior] = await tx<{ request_hash: string; response_status: number; response_body: unknown }[]>`
      select request_hash, response_status, response_body from idempotency_keys where workspace_id = ${workspaceId} and key = ${key}`
    if (prior) {
      if (prior.request_hash !== requestHash) throw new ApiError('IDEMPOTENCY_INVALID_REUSE', 'this Idempotency-Key was used with a different request')
      return { status: prior.response_status, body: prior.response_body, replayed: true }
    }
    const outcome = await change(tx)
    await tx`insert into idempotency_keys (workspace_id, key, request_hash, response_status, response_body)
             values (${workspaceId}, ${key}, ${requestHash}, ${outcome.status}, ${outcome.body === undefined ? null : tx.json(outcome.body as never)})`
    return outcome
  }) as Promise<Outcome>
}
