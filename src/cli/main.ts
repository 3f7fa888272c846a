import { SettingError } from '../platform/config.js'
import { UsageError, type Command } from './common.js'

/**
 * Every `keel` command; each lives in its own module beside this one, loaded only when it runs:
 * `keel start` loads the whole server (every domain and its packages, about 2.5 s through tsx on
 * this machine), and a command that needs a few modules, such as `keel ledger check` (about
 * 0.4 s), would pay for all of them if this file imported every command up front.
 */
const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).start,
  ach: async () => (await import('./ach.js')).ach,
  'api-keys': async () => (await import('./api-keys.js')).apiKeys,
  'card-widget': async () => (await import('./card-widget.js')).cardWidget,
  clock: async () => (await import('./clock.js')).clock,
  ledger: async () => (await import('./ledger.js')).ledger,
  'partner-kyb': async () => (await import('./partner-kyb.js')).partnerKyb,
  watchlist: async () => (await import('./watchlist.js')).watchlist,
}

/** The usage text: every command's lines, so every command's module (asked for help, or after a wrong invocation). */
async function usage(): Promise<string> {
  const loaded = await Promise.all(Object.values(commands).map((load) => load()))
  return [
    "keel: a banking core that speaks Synctera's v0 API",
    '',
    ...loaded.flatMap((c) => c.usage.map((l) => '  ' + l)),
    '',
    'Environment: DATABASE_URL (external PostgreSQL 15+), PORT, HOST, KEEL_DATA_DIR, LOG_LEVEL, KEEL_ENCRYPTION_KEY.',
    '',
  ].join('\n')
}

async function main([name, ...args]: string[]): Promise<number> {
  if (!name || name === 'help' || name === '--help' || name === '-h') { process.stdout.write(await usage()); return name ? 0 : 2 }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!load) throw new UsageError(`unknown command: ${name}`)
  return (await load()).run(args)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err) => {
    if (err instanceof UsageError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n\n${await usage()}`)
      process.exit(2)
    }
    // A failed command reports on stderr, where scripts and tests look for it: a wrong setting in
    // one line, anything else with its stack.
    const said = err instanceof SettingError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err)
    process.stderr.write(`keel: ${said}\n`)
    process.exit(1)
  },
)
