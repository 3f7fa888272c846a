import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// Synctera's webhook signature: Synctera-Signature is the lowercase hex HMAC-SHA256 of
// Request-Timestamp + "." + the raw body, keyed with the workspace's webhook secret (its text, as
// UTF-8). During a rolling replacement the header carries one signature per valid secret, newest
// first, joined by ".". Reproduces ../shared/reference/webhook-signature-test-vector.json.

export const signatureHeaderName = 'Synctera-Signature'
export const timestampHeaderName = 'Request-Timestamp'
export const signatureSeparator = '.'
/** A receiver rejects a timestamp further than this from its own clock (replays). */
export const signatureToleranceSeconds = 5 * 60
/** Secrets are 64 characters (the spec's createSecret response): 32 random bytes in hex. */
export const secretBytes = 32
const hmacHexLength = 64

export function newSecret(): string {
  return randomBytes(secretBytes).toString('hex')
}

export function sign(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(timestamp).update('.').update(rawBody).digest('hex')
}

/** The Synctera-Signature header for every currently valid secret, newest first. */
export function signatureHeader(secrets: readonly string[], timestamp: string, rawBody: string | Buffer): string {
  return secrets.map((s) => sign(s, timestamp, rawBody)).join(signatureSeparator)
}

/**
 * What a receiver does: the timestamp is recent, and one of the header's signatures matches one
 * of the receiver's secrets over the raw bytes, compared in constant time.
 */
export function verifySignature(input: {
  header: string | undefined
  timestamp: string | undefined
  rawBody: string | Buffer
  secrets: readonly string[]
  nowSeconds: number
  toleranceSeconds?: number
}): boolean {
  const { header, timestamp, rawBody, secrets, nowSeconds } = input
  if (!header || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false
  if (Math.abs(nowSeconds - Number(timestamp)) > (input.toleranceSeconds ?? signatureToleranceSeconds)) return false
  const candidates = header.split(signatureSeparator).filter((c) => /^[0-9a-f]+$/.test(c) && c.length === hmacHexLength)
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, timestamp, rawBody), 'hex')
    for (const c of candidates) if (timingSafeEqual(expected, Buffer.from(c, 'hex'))) return true
  }
  return false
}
