import { parseArgs } from 'node:util'
import { startServer } from '../server.js'
import { commonOptions, configFrom, type Command } from './common.js'

export const start: Command = {
  usage: ['keel start [--port N] [--data-dir DIR]'],
  async run(args) {
    const { values } = parseArgs({ args, options: commonOptions })
    const running = await startServer(configFrom(values))
    let stopping = false
    const stop = async (signal: string) => {
      if (stopping) return
      stopping = true
      running.app.log.info(`${signal}: stopping`)
      await running.stop()
      process.exit(0)
    }
    process.on('SIGINT', () => void stop('SIGINT'))
    process.on('SIGTERM', () => void stop('SIGTERM'))
    return new Promise<number>(() => {}) // serves until a signal
  },
}
