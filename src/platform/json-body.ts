import { isUtf8 } from 'node:buffer'
import { ApiError } from './errors.js'

/**
 * How deeply objects and arrays may nest in a request body. The spec's deepest request is a few
 * levels; free-form `metadata` gets room beyond that. Bounded before parsing, so that nothing
 * downstream (hashing for Idempotency-Key, validation, storing) recurses past the stack.
 */
export const jsonNestingDepthMax = 64

const bad = (detail: string) => new ApiError('BAD_REQUEST_BODY', detail)

/** The deepest nesting of objects and arrays in JSON text, counted without parsing; stops past `max`. */
export function jsonNestingDepth(text: string, max = jsonNestingDepthMax): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // a backslash escapes the next character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > deepest) deepest = depth
      if (deepest > max) return deepest
    } else if (c === 125 || c === 93) depth--
  }
  return deepest
}

/**
 * Refuses what the database or JSON cannot faithfully hold, anywhere in a parsed body (keys
 * included): the NUL character (PostgreSQL text), a lone UTF-16 surrogate (`"\ud800"`, not
 * Unicode; jsonb refuses it and text would store U+FFFD), and numbers JSON parsing could not keep
 * exactly (`1e400` becomes Infinity, integers past 2^53 lose digits).
 */
export function checkJsonValues(value: unknown, at = ''): void {
  if (typeof value === 'string') return checkString(value, at)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bad(`${at || 'the body'} is a number too large to represent`)
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) throw bad(`${at || 'the body'} is an integer beyond ±(2^53 - 1), which cannot be kept exactly`)
    return
  }
  if (value === null || typeof value !== 'object') return
  if (Array.isArray(value)) { value.forEach((v, i) => checkJsonValues(v, `${at}[${i}]`)); return }
  for (const [k, v] of Object.entries(value)) {
    const path = at ? `${at}.${k}` : k
    checkString(k, path)
    checkJsonValues(v, path)
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function checkString(s: string, at: string): void {
  if (s.includes('\u0000')) throw bad(`strings may not contain the NUL character (\\u0000)${at ? `: ${at}` : ''}`)
  if (loneSurrogate.test(s)) throw bad(`strings may not contain a lone UTF-16 surrogate (e.g. \\ud800)${at ? `: ${at}` : ''}`)
}

/** The text of a JSON body, refused with 400 when it is not UTF-8 or nests too deeply. */
export function jsonBodyText(raw: Buffer): string {
  if (!isUtf8(raw)) throw bad('request body is not valid UTF-8')
  const text = raw.toString('utf8')
  if (jsonNestingDepth(text) > jsonNestingDepthMax) throw bad(`request body nests objects and arrays deeper than ${jsonNestingDepthMax} levels`)
  return text
}

/**
 * Why a JSON parser that refuses keys which could replace an object's prototype (Fastify's, which
 * answers one error for both) refused `text`: such a key when the text is JSON, else undefined (the
 * text is not JSON). Read only on a refusal, so a valid body is parsed once.
 */
export function prototypeKeyRefusal(text: string): Error | undefined {
  try { JSON.parse(text) } catch { return undefined }
  return bad('request body has a "__proto__" key, or a "constructor" key holding "prototype"; Keel refuses both')
}
