import { ach } from './ach.js'
import { apiKeys } from './api-keys.js'
import { cardWidget } from './card-widget.js'
import { clock } from './clock.js'
import { UsageError, type Command } from './common.js'
import { ledger } from './ledger.js'
import { partnerKyb } from './partner-kyb.js'
import { start } from './start.js'
import { watchlist } from './watchlist.js'

/** Every `keel` command; each lives in its own module beside this one. */
const commands: Record<string, Command> = {
  start,
  ach,
  'api-keys': apiKeys,
  'card-widget': cardWidget,
  clock,
  ledger,
  'partner-kyb': partnerKyb,
  watchlist,
}

const usage = [
  "keel: a banking core that speaks Synctera's v0 API",
  '',
  ...Object.values(commands).flatMap((c) => c.usage.map((l) => '  ' + l)),
  '',
  'Environment: DATABASE_URL (external PostgreSQL 15+), PORT, HOST, KEEL_DATA_DIR, LOG_LEVEL, KEEL_ENCRYPTION_KEY.',
  '',
].join('\n')

async function main([name, ...args]: string[]): Promise<number> {
  if (!name || name === 'help' || name === '--help' || name === '-h') { process.stdout.write(usage); return name ? 0 : 2 }
  const command = commands[name]
  if (!command) throw new UsageError(`unknown command: ${name}`)
  return command.run(args)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n\n${usage}`)
      process.exit(2)
    }
    // A failed command reports on stderr, where scripts and tests look for it.
    process.stderr.write(`keel: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    process.exit(1)
  },
)
