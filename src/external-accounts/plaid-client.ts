// Keel's one door to Plaid: the official SDK, pointed at real Plaid when PLAID_CLIENT_ID,
// PLAID_SECRET and PLAID_ENV are set, otherwise at the built-in Plaid sandbox Keel serves under
// /plaid on its own port. Every outbound HTTP setting of this domain (base path, agents,
// time-out) is made in plaidClient() below and nowhere else.
import type { Agent as HttpAgent } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createRequire } from 'node:module'
import type { PlaidApi } from 'plaid'
import { SettingError } from '../platform/config.js'
import { ApiError } from '../platform/errors.js'
import type { Outbound } from '../platform/outbound.js'
import { plaidSandboxPrefix } from './plaid-sandbox/routes.js'

const requireFromHere = createRequire(import.meta.url)
let sdk: typeof import('plaid') | undefined
/**
 * The SDK, loaded on first use: loading it (axios and its generated API) took about 0.4 s of every
 * process's start, `keel start`'s and each test file's, where most never call Plaid.
 */
export function plaidSdk(): typeof import('plaid') {
  return (sdk ??= requireFromHere('plaid') as typeof import('plaid'))
}

/**
 * Plaid's balance and transaction calls are synchronous at the bank: "typically less than 10
 * seconds, but occasionally up to 30 seconds or more" (Plaid's /accounts/balance/get docs).
 */
export const plaidRequestTimeoutMs = 30_000

export type PlaidSettings =
  | { mode: 'builtin'; clientId: string; secret: string }
  | { mode: 'plaid'; clientId: string; secret: string; env: 'sandbox' | 'production'; basePath: string }

/**
 * Keel's keys for its own sandbox: any non-empty pair is accepted there. Keel sends each workspace's
 * id as the client id, so the sandbox reads that workspace's clock for the items it links (a sandbox
 * workspace moved forward sees its Plaid transactions, balances and token expiry move with it).
 */
export const builtinClientId = 'keel'
export const builtinSecret = 'keel-sandbox'

/** Reads PLAID_CLIENT_ID, PLAID_SECRET and PLAID_ENV: all three for real Plaid, none for the built-in sandbox. */
export function plaidSettingsFrom(env: NodeJS.ProcessEnv): PlaidSettings {
  const clientId = env.PLAID_CLIENT_ID || undefined
  const secret = env.PLAID_SECRET || undefined
  const plaidEnv = env.PLAID_ENV || undefined
  if (!clientId && !secret && !plaidEnv) return { mode: 'builtin', clientId: builtinClientId, secret: builtinSecret }
  if (!clientId || !secret || !plaidEnv) throw new SettingError('set PLAID_CLIENT_ID, PLAID_SECRET and PLAID_ENV together (or none, for the built-in Plaid sandbox)')
  if (plaidEnv !== 'sandbox' && plaidEnv !== 'production') throw new SettingError(`PLAID_ENV must be sandbox or production, got ${plaidEnv}`)
  return { mode: 'plaid', clientId, secret, env: plaidEnv, basePath: plaidSdk().PlaidEnvironments[plaidEnv] }
}

/**
 * The built-in sandbox's base path: Keel's own listening address (loopback when it listens on
 * every interface). Read at call time, since the port is known only once Keel listens.
 */
export function builtinBasePath(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo | string | null
  if (!address || typeof address === 'string') throw new ApiError('VENDOR_TIMEOUT', 'the built-in Plaid sandbox is served on Keel\'s own port, and Keel is not listening on one')
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '[::1]' : address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}${plaidSandboxPrefix}`
}

/** Keep-alive agents through the outbound guard, one pair per guard (so connections are pooled). */
const agentsByGuard = new WeakMap<Outbound, { httpAgent: HttpAgent; httpsAgent: HttpsAgent }>()
function agentsOf(outbound: Outbound): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  let agents = agentsByGuard.get(outbound)
  if (!agents) {
    agents = { httpAgent: outbound.httpAgent({ keepAlive: true }), httpsAgent: outbound.httpsAgent({ keepAlive: true }) }
    agentsByGuard.set(outbound, agents)
  }
  return agents
}

/**
 * The SDK client for one workspace's call: base path, keys, agents and time-out, all here. Its
 * connections go through Keel's outbound guard (src/platform/outbound.ts), as every call Keel makes.
 */
export function plaidClient(settings: PlaidSettings, basePath: string, outbound: Outbound, workspaceId: string): PlaidApi {
  const { httpAgent, httpsAgent } = agentsOf(outbound)
  const clientId = settings.mode === 'builtin' ? workspaceId : settings.clientId
  const { PlaidApi, Configuration } = plaidSdk()
  return new PlaidApi(new Configuration({
    basePath,
    baseOptions: {
      headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': settings.secret },
      timeout: plaidRequestTimeoutMs,
      httpAgent,
      httpsAgent,
      // Plaid answers JSON; nothing is followed elsewhere.
      maxRedirects: 0,
      // axios would otherwise route through HTTP(S)_PROXY from the environment, past the agents
      // that decide (and, with the outbound guard, check) where Keel connects.
      proxy: false,
    },
  }))
}

/** An error Plaid answered (its body), as opposed to one reaching it. */
export interface PlaidFailure {
  error_type: string
  error_code: string
  error_message: string
  display_message: string | null
  request_id: string | undefined
}

/** Plaid's error body when the SDK call failed with one; otherwise the failure reaching Plaid becomes VENDOR_TIMEOUT. */
export function plaidFailureOf(err: unknown): PlaidFailure {
  const response = (err as { response?: { data?: unknown } }).response
  const data = response?.data as Partial<PlaidFailure> | undefined
  if (data && typeof data === 'object' && typeof data.error_code === 'string') {
    return {
      error_type: String(data.error_type ?? ''), error_code: data.error_code, error_message: String(data.error_message ?? ''),
      display_message: typeof data.display_message === 'string' ? data.display_message : null, request_id: typeof data.request_id === 'string' ? data.request_id : undefined,
    }
  }
  if (err instanceof ApiError) throw err
  throw new ApiError('VENDOR_TIMEOUT', `Plaid could not be reached: ${(err as Error).message}`)
}
