import { loadConfig, type Config } from '../platform/config.js'
import { openDatabase, type Database } from '../platform/db.js'
import { migrate } from '../platform/migrate.js'

/** A wrong invocation: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export interface Command {
  /** Lines for the usage text. */
  usage: string[]
  /** Resolves to the exit code, or never resolves for a long-running command. */
  run(args: string[]): Promise<number>
}

export const commonOptions = { 'data-dir': { type: 'string' }, port: { type: 'string' } } as const

export function configFrom(values: { port?: string; 'data-dir'?: string }): Config {
  const env = { ...process.env }
  if (values.port !== undefined) env.PORT = values.port
  if (values['data-dir'] !== undefined) env.KEEL_DATA_DIR = values['data-dir']
  return loadConfig(env)
}

/**
 * Runs work against the database the server uses: DATABASE_URL, or the embedded one under the
 * data dir (joining it when a server already runs there, else starting and stopping it).
 */
export async function withDatabase<T>(config: Config, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(config, () => {})
  try {
    await migrate(db.sql)
    return await work(db)
  } finally {
    await db.close()
  }
}
