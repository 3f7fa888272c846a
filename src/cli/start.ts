import { parseArgs } from 'node:util'
import { isDatabaseUnavailable } from '../platform/db.js'
import { startServer } from '../server.js'
import { commonOptions, configFrom, type Command } from './common.js'

/**
 * A stop (SIGTERM, SIGINT, a lost database) waits this long for in-flight requests and workers to
 * finish, then the process exits whatever is still pending: a hung database cannot keep it alive.
 */
export const shutdownTimeoutMs = 10_000
/** A process whose database is gone has nothing left to finish: it exits within this. */
export const lostDatabaseExitMs = 1_000

export const start: Command = {
  usage: ['keel start [--port N] [--data-dir DIR]'],
  async run(args) {
    const { values } = parseArgs({ args, options: commonOptions })
    const running = await startServer(configFrom(values))
    const log = running.app.log
    let stopping = false
    const stop = async (why: string, code: number, deadlineMs = shutdownTimeoutMs) => {
      if (stopping) return
      stopping = true
      log.info(`${why}: stopping`)
      setTimeout(() => {
        log.error(`still stopping after ${deadlineMs} ms; exiting`)
        process.exit(code || 1)
      }, deadlineMs).unref()
      try {
        await running.stop()
      } catch (err) {
        log.error({ err }, 'stopping failed')
      }
      process.exit(code)
    }
    process.on('SIGINT', () => void stop('SIGINT', 0))
    process.on('SIGTERM', () => void stop('SIGTERM', 0))
    // A database that dies fails the requests that needed it (503); it must not take the process.
    process.on('unhandledRejection', (err) => { log.error({ err }, 'unhandled rejection') })
    process.on('uncaughtException', (err) => {
      if (isDatabaseUnavailable(err) || /node_modules[\\/]postgres[\\/]/.test(err.stack ?? '')) {
        log.error({ err }, 'database client failed outside a request; continuing')
        return
      }
      log.fatal({ err }, 'uncaught exception')
      void stop('uncaught exception', 1)
    })
    void running.lost.then((why) => {
      log.error(why)
      void stop('database lost', 1, lostDatabaseExitMs)
    })
    return new Promise<number>(() => {}) // serves until a signal
  },
}
