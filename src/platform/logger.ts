import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'

// Secrets and PII never reach a log line, wherever they appear in a logged object.
export const redactedPaths = [
  'req.headers.authorization', 'req.headers["idempotency-key"]',
  'ssn', 'ein', 'tin', 'api_key', 'apiKey', 'password', 'secret',
  '*.ssn', '*.ein', '*.tin', '*.api_key', '*.apiKey', '*.password', '*.secret',
  '*.*.ssn', '*.*.ein', '*.*.tin',
  // Card data: Keel never logs it, and would redact it if a logged object ever carried it.
  'pan', 'cvv', 'pin', '*.pan', '*.cvv', '*.pin', 'req.body.pin', 'req.body.token',
]

/**
 * pino's options: JSON lines for machines, or, when `pretty` (stdout is a terminal), pino's own
 * `pino-pretty` transport for a person to read. Redaction happens before either.
 */
export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  const options: LoggerOptions = { level, redact: { paths: redactedPaths, censor: '[redacted]' } }
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
  if (destination) return pino(options, destination)
  return pretty ? pino(options) : pino(options, pino.destination({ dest: 1, sync: false, minLength: logBufferBytes, periodicFlush: logFlushIntervalMs }))
}
