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

/** A logger to `destination`, or to stdout: pretty on a terminal, JSON otherwise. */
export function createLogger(level: string, destination?: DestinationStream, pretty = destination === undefined && process.stdout.isTTY === true): Logger {
  const options = loggerOptions(level, pretty && destination === undefined)
  return destination ? pino(options, destination) : pino(options)
}
