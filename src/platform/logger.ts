import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'

// Secrets and PII never reach a log line, wherever they appear in a logged object: the value of any
// key named here is replaced by the censor, at any depth. Matched by name, not by path, so a field
// nested where no one thought to list it is caught too.
export const secretKeys: ReadonlySet<string> = new Set([
  'authorization', 'idempotency-key', 'api_key', 'apiKey', 'password', 'secret', 'token',
  'ssn', 'ein', 'tin',
  // Card data: Keel never logs it, and would redact it if a logged object ever carried it.
  'pan', 'cvv', 'pin',
])
export const censor = '[redacted]'
/** Objects nested deeper than this are replaced by the censor rather than searched. */
const censorDepthMax = 8

/**
 * `value` with the value of every secret key replaced by the censor. Only the objects on the way to
 * a secret are copied (keeping their prototype): a value that holds none is returned as it is,
 * without allocating. A class instance that refers back to itself through its fields is censored
 * where it recurs, instead of searched again.
 *
 * pino's own `redact` option was used before. It takes paths (`*.ssn`, `*.*.ssn`), so it missed
 * deeper fields, and its implementation allocated about 22 KB for every line, a four-field access
 * line included: a third of all the server allocated per internal transfer.
 */
export function censored(value: unknown, depth = 0, instances?: object[]): unknown {
  if (value === null || typeof value !== 'object') return value
  if (depth > censorDepthMax) return censor
  if (ArrayBuffer.isView(value) || value instanceof Date) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const v = censored(value[i], depth + 1, instances)
      if (v !== value[i]) (copy ??= value.slice())[i] = v
    }
    return copy ?? value
  }
  if (value instanceof Error) return censoredError(value, depth, instances)
  const proto = Object.getPrototypeOf(value) as object | null
  // Plain objects are what Keel logs; instances (a request, a socket) may hold cycles.
  const instance = proto !== Object.prototype && proto !== null
  if (instance) {
    if (instances?.includes(value)) return censor
    ;(instances ??= []).push(value)
  }
  const record = value as Record<string, unknown>
  let copy: Record<string, unknown> | undefined
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    const v = record[key]
    const c = secretKeys.has(key) ? censor : censored(v, depth + 1, instances)
    if (c !== v) (copy ??= Object.assign(Object.create(proto), record) as Record<string, unknown>)[key] = c
  }
  if (instance) instances!.pop()
  return copy ?? value
}

/** An error whose own fields hold a secret, as an error of the same kind with those fields censored (pino's serializer reads it the same way). */
function censoredError(err: Error, depth: number, instances?: object[]): Error {
  const fields: Record<string, unknown> = {}
  for (const key in err) if (Object.hasOwn(err, key)) fields[key] = (err as unknown as Record<string, unknown>)[key]
  if ('cause' in err) fields.cause = err.cause
  const kept = censored(fields, depth, instances) as Record<string, unknown>
  if (kept === fields) return err
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error
  Object.assign(copy, kept)
  copy.message = err.message
  copy.stack = err.stack
  return copy
}

/**
 * pino's options: JSON lines for machines, or, when `pretty` (stdout is a terminal), pino's own
 * `pino-pretty` transport for a person to read. Secrets are censored before either.
 */
export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  const options: LoggerOptions = {
    level,
    formatters: {
      bindings: (bindings) => censored(bindings) as Record<string, unknown>,
      log: (object) => censored(object) as Record<string, unknown>,
    },
  }
  if (pretty) options.transport = { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
  return options
}

/**
 * Log lines to stdout are gathered until there are this many bytes (or logFlushIntervalMs has
 * passed), then handed to the kernel in one write: a busy server makes one system call for a few
 * dozen lines instead of one each (measured: the per-line writes cost the server about a tenth of
 * its CPU in the transfers bench). pino writes what is left when the process exits; a process
 * killed outright loses at most this much.
 */
export const logBufferBytes = 4096
/** The longest a log line waits in that buffer. */
export const logFlushIntervalMs = 200

/**
 * A logger to `destination`, or to stdout: pretty on a terminal, JSON otherwise. JSON to stdout is
 * written asynchronously and gathered (pino's sonic-boom with `sync: false`, logBufferBytes).
 */
export function createLogger(level: string, destination?: DestinationStream, pretty = destination === undefined && process.stdout.isTTY === true): Logger {
  const options = loggerOptions(level, pretty && destination === undefined)
  const logger = destination ? pino(options, destination) : pretty ? pino(options) : pino(options, pino.destination({ dest: 1, sync: false, minLength: logBufferBytes, periodicFlush: logFlushIntervalMs }))
  return censoringChildBindings(logger)
}

/**
 * pino applies no formatter to a child's bindings (`formatters.bindings` sees only the root's), so
 * they are censored as the child is made. Children are made from their parent's prototype, so this
 * covers children of children too.
 */
function censoringChildBindings(logger: Logger): Logger {
  const child = logger.child
  logger.child = function (this: Logger, bindings: Record<string, unknown>, options?: object) {
    return child.call(this, censored(bindings) as Record<string, unknown>, options)
  } as Logger['child']
  return logger
}

/**
 * A request's logger, made only when something logs through it. Fastify gives every request a child
 * of the server's logger bound to its request id; pino makes a child by copying its parent and
 * serializing the bindings (about 3,700 instructions, counted by bench:instructions), though an
 * ordinary request logs nothing through it: its access line is written by the server's logger with
 * the request id among its fields (app.ts), which reads the same. A warning or an error made while
 * answering makes the child then.
 */
export class LazyRequestLogger {
  #child: Logger | undefined
  readonly #parent: Logger
  readonly #bindings: Record<string, unknown>
  readonly #options: object

  constructor(parent: Logger, bindings: Record<string, unknown>, options: object) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  get #logger(): Logger { return (this.#child ??= this.#parent.child(this.#bindings, this.#options)) }
  get level(): string { return this.#logger.level }
  set level(level: string) { this.#logger.level = level }
  isLevelEnabled(level: string): boolean { return this.#logger.isLevelEnabled(level) }
  fatal(...args: Parameters<Logger['fatal']>): void { this.#logger.fatal(...args) }
  error(...args: Parameters<Logger['error']>): void { this.#logger.error(...args) }
  warn(...args: Parameters<Logger['warn']>): void { this.#logger.warn(...args) }
  info(...args: Parameters<Logger['info']>): void { this.#logger.info(...args) }
  debug(...args: Parameters<Logger['debug']>): void { this.#logger.debug(...args) }
  trace(...args: Parameters<Logger['trace']>): void { this.#logger.trace(...args) }
  silent(): void {}
  child(bindings: Record<string, unknown>, options?: object): Logger { return this.#logger.child(bindings, options) }
}
