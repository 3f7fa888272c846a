import { resolve } from 'node:path'

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
}

export const portDefault = 8080
export const hostDefault = '127.0.0.1'
export const dataDirDefault = '.keel'

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = Number(env.PORT ?? portDefault)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port, got ${env.PORT}`)
  return {
    port,
    host: env.HOST ?? hostDefault,
    dataDir: resolve(env.KEEL_DATA_DIR ?? dataDirDefault),
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    encryptionKey: env.KEEL_ENCRYPTION_KEY || undefined,
    outboundAllowedNetworks: env.KEEL_OUTBOUND_ALLOWED_NETWORKS === undefined ? undefined : env.KEEL_OUTBOUND_ALLOWED_NETWORKS.split(',').map((s) => s.trim()).filter(Boolean),
    ...overrides,
  }
}
