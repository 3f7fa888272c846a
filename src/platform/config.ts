import { resolve } from 'node:path'
import type { LimitSettings } from './limits.js'

export interface Config {
  port: number
  host: string
  dataDir: string
  /** An external PostgreSQL; when unset Keel runs its embedded one under dataDir. */
  databaseUrl: string | undefined
  logLevel: string
  /** 32 bytes, base64 or hex; when unset a generated key is kept under dataDir. */
  encryptionKey: string | undefined
  /**
   * Special-purpose networks (private, loopback…) outbound calls may reach, as CIDR, from
   * KEEL_OUTBOUND_ALLOWED_NETWORKS (comma-separated; empty: none). Unset: loopback while Keel
   * listens on loopback only, else none (see src/platform/outbound.ts).
   */
  outboundAllowedNetworks: string[] | undefined
  /** Rate limits and the load-shedding bound (KEEL_RATE_LIMIT_KEY, KEEL_RATE_LIMIT_SOURCE, KEEL_REQUESTS_IN_FLIGHT_MAX). */
  limits: Partial<LimitSettings>
  /** Serve Prometheus metrics at GET /metrics, without a key (KEEL_METRICS=on). */
  metrics: boolean
}

/** A setting Keel was started with is wrong: the CLI says it in one line, without a stack. */
export class SettingError extends Error {}

export const portDefault = 8080
export const hostDefault = '127.0.0.1'
export const dataDirDefault = '.keel'

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = Number(env.PORT ?? portDefault)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingError(`PORT must be a TCP port, got ${env.PORT}`)
  return {
    port,
    host: env.HOST ?? hostDefault,
    dataDir: resolve(env.KEEL_DATA_DIR ?? dataDirDefault),
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    encryptionKey: env.KEEL_ENCRYPTION_KEY || undefined,
    outboundAllowedNetworks: env.KEEL_OUTBOUND_ALLOWED_NETWORKS === undefined ? undefined : env.KEEL_OUTBOUND_ALLOWED_NETWORKS.split(',').map((s) => s.trim()).filter(Boolean),
    limits: limitsFrom(env),
    metrics: ['on', 'true', '1'].includes((env.KEEL_METRICS ?? '').toLowerCase()),
    ...overrides,
  }
}

/** Rates in requests per second (0: no limit); a burst of twice the rate. Unset: limitDefaults. */
function limitsFrom(env: NodeJS.ProcessEnv): Partial<LimitSettings> {
  const count = (name: string): number | undefined => {
    const text = env[name]
    if (text === undefined || text === '') return undefined
    if (!/^[0-9]+$/.test(text)) throw new SettingError(`${name} must be a whole number, got ${text}`)
    return Number(text)
  }
  const limits: Partial<LimitSettings> = {}
  const key = count('KEEL_RATE_LIMIT_KEY')
  if (key !== undefined) Object.assign(limits, { keyPerSecond: key, keyBurst: 2 * key })
  const source = count('KEEL_RATE_LIMIT_SOURCE')
  if (source !== undefined) Object.assign(limits, { sourcePerSecond: source, sourceBurst: 2 * source })
  const inFlight = count('KEEL_REQUESTS_IN_FLIGHT_MAX')
  if (inFlight !== undefined) limits.requestsInFlightMax = inFlight
  return limits
}
