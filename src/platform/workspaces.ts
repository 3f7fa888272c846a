import { randomBytes } from 'node:crypto'
import { sha256Hex } from './crypto.js'
import type { Queryable } from './db.js'
import { ApiError } from './errors.js'
import { uuidv7 } from './ids.js'

export type WorkspaceMode = 'sandbox' | 'live'
/** The sandbox workspace `keel start` makes on empty data, and the one `keel api-keys create` names by default. */
export const firstWorkspaceName = 'default'
export interface Workspace {
  id: string
  name: string
  mode: WorkspaceMode
  /** The fintech's own KYB has passed, so money may move: always in sandbox, recorded by an operator in live. */
  partnerVerified: boolean
}
export interface ApiKeyRow { id: string; workspace_id: string; workspace_name: string; mode: WorkspaceMode; key_prefix: string; created_at: Date; revoked_at: Date | null }

const apiKeyPrefix = 'keel_'
const apiKeySecretBytes = 24
const shownPrefixLength = 12

/** A workspace as stored: when its partner KYB was recorded as passed, null while it has not. */
export interface WorkspaceRow { id: string; name: string; mode: WorkspaceMode; partner_verified_at: Date | null }

/** Sandbox workspaces are pre-passed (DESIGN.md): there is no partner KYB to wait for. */
export const partnerVerifiedOf = (row: WorkspaceRow): boolean => row.mode === 'sandbox' || row.partner_verified_at !== null

/**
 * Refuses what only a sandbox has (simulations, Keel's clock, test aids) in a live workspace: 400
 * FEATURE_NOT_AVAILABLE, the catalogue's code for a feature not available to this client. `what`
 * names it in the plural ("card transaction simulations").
 */
export function requireSandbox(workspace: Pick<Workspace, 'mode'>, what: string): void {
  if (workspace.mode !== 'sandbox') throw new ApiError('FEATURE_NOT_AVAILABLE', `${what} exist only in sandbox workspaces; this workspace is live`)
}

const toWorkspace = (row: WorkspaceRow): Workspace => ({ id: row.id, name: row.name, mode: row.mode, partnerVerified: partnerVerifiedOf(row) })

/** The workspace with this name, created in the given mode when new. An existing one keeps its mode. */
export async function ensureWorkspace(sql: Queryable, name: string, mode: WorkspaceMode): Promise<Workspace> {
  const [row] = await sql<WorkspaceRow[]>`
    insert into workspaces (id, name, mode) values (${uuidv7()}, ${name}, ${mode})
    on conflict (name) do update set name = excluded.name
    returning id, name, mode, partner_verified_at`
  return toWorkspace(row)
}

export async function createApiKey(sql: Queryable, workspaceId: string): Promise<{ id: string; apiKey: string }> {
  const apiKey = apiKeyPrefix + 'sk_' + randomBytes(apiKeySecretBytes).toString('base64url')
  const id = uuidv7()
  const hash = sha256Hex(apiKey)
  await sql`insert into api_keys (workspace_id, id, key_hash, key_prefix)
            values (${workspaceId}, ${id}, ${hash}, ${apiKey.slice(0, shownPrefixLength)})`
  // Delivered at commit to every listening Keel process, which forgets the hash if it had it as unknown.
  await sql`select pg_notify(${apiKeyCreatedChannel}, ${hash})`
  forgetUnknownKeyHash(hash)
  return { id, apiKey }
}

/** The workspace a live (unrevoked) key belongs to. */
export async function workspaceForKey(sql: Queryable, apiKey: string): Promise<Workspace | undefined> {
  const [row] = await sql<WorkspaceRow[]>`
    select w.id, w.name, w.mode, w.partner_verified_at from api_keys k join workspaces w on w.id = k.workspace_id
    where k.key_hash = ${sha256Hex(apiKey)} and k.revoked_at is null`
  return row && toWorkspace(row)
}

/**
 * How long this process reuses a key's lookup: the API answers every request of a busy client
 * without a query for its key. A revocation is announced on `apiKeyRevokedChannel`, which every
 * server listens to, so it takes effect at once everywhere; this bound only matters if that
 * notification is lost (a dropped listening connection).
 */
export const apiKeyCacheTtlMs = 5_000
const apiKeyCacheEntriesMax = 10_000
// Keyed by the key as sent (in this process's memory only, never stored), so a hit costs no hash.
const keyCache = new Map<string, { workspace: Workspace; keyId: string; untilMs: number }>()

/**
 * Hashes of keys found unknown, so that a client repeating a wrong key (or a flood of them) costs
 * no query. A key created here or in another process is dropped from it at once
 * (`apiKeyCreatedChannel`); the time bound only matters if that notification is lost.
 */
export const unknownKeyCacheTtlMs = 60_000
export const unknownKeyCacheEntriesMax = 50_000
const unknownKeyHashes = new Map<string, number>()

/** Whether this key was looked up and found unknown, recently enough to answer without a query. */
export function isKnownUnknownKey(apiKey: string, nowMs = Date.now()): boolean {
  const untilMs = unknownKeyHashes.get(sha256Hex(apiKey))
  return untilMs !== undefined && untilMs > nowMs
}

/** workspaceForKey through the in-process caches of known and of unknown keys. */
export async function workspaceForKeyCached(sql: Queryable, apiKey: string, nowMs = Date.now()): Promise<Workspace | undefined> {
  const hit = cachedWorkspaceForKey(apiKey, nowMs)
  if (hit) return hit
  const hash = sha256Hex(apiKey)
  const unknownUntil = unknownKeyHashes.get(hash)
  if (unknownUntil !== undefined && unknownUntil > nowMs) return undefined
  const [row] = await sql<(WorkspaceRow & { key_id: string })[]>`
    select w.id, w.name, w.mode, w.partner_verified_at, k.id as key_id from api_keys k join workspaces w on w.id = k.workspace_id
    where k.key_hash = ${hash} and k.revoked_at is null`
  if (!row) {
    keyCache.delete(apiKey)
    unknownKeyHashes.delete(hash)
    if (unknownKeyHashes.size >= unknownKeyCacheEntriesMax) unknownKeyHashes.delete(unknownKeyHashes.keys().next().value!)
    unknownKeyHashes.set(hash, nowMs + unknownKeyCacheTtlMs)
    return undefined
  }
  const workspace = toWorkspace(row)
  if (keyCache.size >= apiKeyCacheEntriesMax) keyCache.clear()
  keyCache.set(apiKey, { workspace, keyId: row.key_id, untilMs: nowMs + apiKeyCacheTtlMs })
  return workspace
}

/** The cached workspace of a key, without waiting for anything; undefined on a miss. */
export function cachedWorkspaceForKey(apiKey: string, nowMs = Date.now()): Workspace | undefined {
  const hit = keyCache.get(apiKey)
  return hit && hit.untilMs > nowMs ? hit.workspace : undefined
}

export async function listApiKeys(sql: Queryable): Promise<ApiKeyRow[]> {
  return sql<ApiKeyRow[]>`
    select k.id, k.workspace_id, w.name as workspace_name, w.mode, k.key_prefix, k.created_at, k.revoked_at
    from api_keys k join workspaces w on w.id = k.workspace_id order by k.id`
}

export const apiKeyRevokedChannel = 'keel_api_key_revoked'
export const apiKeyCreatedChannel = 'keel_api_key_created'

/** Drops a key hash from the cache of unknown keys (the key was just created here or elsewhere). */
export function forgetUnknownKeyHash(hash: string): void {
  unknownKeyHashes.delete(hash)
}

/** Drops this process's cached lookups of a key (on revocation here or elsewhere). */
export function forgetApiKey(id: string): void {
  for (const [key, entry] of keyCache) if (entry.keyId === id) keyCache.delete(key)
}

export async function revokeApiKey(sql: Queryable, id: string): Promise<boolean> {
  const rows = await sql`update api_keys set revoked_at = now() where id = ${id} and revoked_at is null returning id`
  // Delivered at commit to every listening Keel process (see startServer).
  if (rows.length === 1) await sql`select pg_notify(${apiKeyRevokedChannel}, ${id})`
  forgetApiKey(id)
  return rows.length === 1
}

export const workspaceChangedChannel = 'keel_workspace_changed'

/** Drops this process's cached lookups of every key of a workspace (its settings changed here or elsewhere). */
export function forgetWorkspace(id: string): void {
  for (const [key, entry] of keyCache) if (entry.workspace.id === id) keyCache.delete(key)
}

/**
 * Money movement (transfers, completing a hold, a closure's sweep) in a live workspace waits for the
 * fintech's own KYB. Checked against the workspace the request authenticated as: no query.
 */
export function requirePartnerVerified(workspace: Workspace): void {
  if (!workspace.partnerVerified) {
    throw new ApiError('PARTNER_NOT_VERIFIED', `workspace "${workspace.name}" is live and the fintech's KYB has not passed: no money can move until it has`)
  }
}

/** Workspaces with their partner KYB state, for the operator. */
export async function listWorkspaces(sql: Queryable): Promise<WorkspaceRow[]> {
  return sql<WorkspaceRow[]>`select id, name, mode, partner_verified_at from workspaces order by name`
}

/** The workspace named `nameOrId` (its name, else its id), with its partner KYB state. */
export async function findWorkspace(sql: Queryable, nameOrId: string): Promise<WorkspaceRow | undefined> {
  const [row] = await sql<WorkspaceRow[]>`
    select id, name, mode, partner_verified_at from workspaces where name = ${nameOrId} or id::text = ${nameOrId}
    order by (name = ${nameOrId}) desc limit 1`
  return row
}

/**
 * Records that a live workspace's partner KYB passed (keeping the first time it was recorded) or
 * revokes it. Every Keel process hears of it on `workspaceChangedChannel` and drops its cached
 * lookups, so the gate moves at once. Undefined when the workspace is not a live one.
 */
export async function setPartnerVerified(sql: Queryable, workspaceId: string, passed: boolean): Promise<WorkspaceRow | undefined> {
  const [row] = await sql<WorkspaceRow[]>`
    update workspaces set partner_verified_at = ${passed ? sql`coalesce(partner_verified_at, now())` : null}
    where id = ${workspaceId} and mode = 'live'
    returning id, name, mode, partner_verified_at`
  if (!row) return undefined
  await sql`select pg_notify(${workspaceChangedChannel}, ${workspaceId})`
  forgetWorkspace(workspaceId)
  return row
}

export async function countWorkspaces(sql: Queryable): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from workspaces`
  return n
}
