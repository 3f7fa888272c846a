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
 * A logger to `destination`, or to stdout: pretty on a terminal, JSON otherwise. JSON to stdout is
 * written asynchronously (pino's sonic-boom with `sync: false`): a line is handed to the kernel as
 * soon as the previous write is done, and lines that arrive meanwhile go in one write, so a busy
 * server makes one system call for many lines instead of one each. pino flushes what is left when
 * the process exits.
 */
export function createLogger(level: string, destination?: DestinationStream, pretty = destination === undefined && process.stdout.isTTY === true): Logger {
  const options = loggerOptions(level, pretty && destination === undefined)
  if (destination) return pino(options, destination)
  return pretty ? pino(options) : pino(options, pino.destination({ dest: 1, sync: false }))
}
