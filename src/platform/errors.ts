import { syncteraErrorCodes } from '../spec/error-codes.js'

// Codes Keel answers that Synctera's catalogue has no entry for, each with the extension members
// its body may carry (as the catalogue's extra_fields): transport-level failures (a body too large,
// a media type the operation does not take, a request too slow or its headers too large, a server
// that cannot serve now), and NACHA_FILE_INVALID, which only Keel's own NACHA file endpoints
// answer. README.md, "Behaviour every endpoint shares", lists them.
const keelErrorCodes = [
  { code: 'PAYLOAD_TOO_LARGE', status: 413, type: 'payload-too-large', title: 'Payload Too Large', extraFields: [] },
  { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, type: 'unsupported-media-type', title: 'Unsupported Media Type', extraFields: [] },
  // A NACHA file that reads but breaks the format's rules: its errors (and warnings) are listed.
  { code: 'NACHA_FILE_INVALID', status: 422, type: 'rule-violation', title: 'Rule Violation', extraFields: ['errors', 'warnings', 'summary'] },
  { code: 'REQUEST_TIMEOUT', status: 408, type: 'request-timeout', title: 'Request Timeout', extraFields: [] },
  { code: 'HEADERS_TOO_LARGE', status: 431, type: 'request-header-fields-too-large', title: 'Request Header Fields Too Large', extraFields: [] },
  // How long to wait is said by the Retry-After header (the catalogue gives `retry_after` to 429 only).
  { code: 'SERVICE_UNAVAILABLE', status: 503, type: 'service-unavailable', title: 'Service Unavailable', extraFields: [] },
] as const

type Entry = { code: string; status: number; type: string; title: string; extraFields: readonly string[] }
type Catalogued = (typeof syncteraErrorCodes)[number] | (typeof keelErrorCodes)[number]
export type ErrorCode = Catalogued['code']
/** An extension member some catalogue entry declares (missing, invalid, immutable, valid_status, retry_after…). */
export type ExtraField = Catalogued['extraFields'][number]

const catalogue = new Map<string, Entry>([...syncteraErrorCodes, ...keelErrorCodes].map((e) => [e.code, e]))
export const errorTypeBase = 'https://dev.synctera.com/errors/'

/** The extension members a body with this code may carry: the catalogue's extra_fields for it. */
export const extraFieldsOf = (code: ErrorCode): readonly string[] => catalogue.get(code)!.extraFields

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  [extra: string]: unknown
}

export interface ApiErrorOptions {
  /** Seconds to wait before retrying: the Retry-After header, and `retry_after` where the code declares it. */
  retryAfterSeconds?: number
  /** The status the answering operation's spec declares for this outcome, instead of the catalogue's (`withStatus`). */
  status?: number
}

/**
 * An expected outcome: a catalogue code, its HTTP status, and what went wrong. The status is the
 * catalogue's, unless the operation answering declares another for the outcome (`withStatus`). Its
 * body (`toProblem`) carries the spec's members (type, title, status, detail, code) and, of
 * `extra`, only the members the catalogue declares for the code: anything else a client should
 * know goes in `detail`.
 */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly extra: Partial<Record<ExtraField, unknown>>
  readonly retryAfterSeconds: number | undefined
  constructor(code: ErrorCode, detail: string, extra: Partial<Record<ExtraField, unknown>> = {}, options: ApiErrorOptions = {}) {
    super(detail)
    const entry = catalogue.get(code)
    if (!entry) throw new Error(`unknown error code ${code}`)
    this.code = code
    this.status = options.status ?? entry.status
    this.extra = extra
    this.retryAfterSeconds = options.retryAfterSeconds
  }

  /**
   * The same outcome (code, type, title, detail, extra members) answered with the status an
   * operation's spec declares for it instead of the catalogue's: see `RouteOptions.statuses`.
   */
  withStatus(status: number): ApiError {
    return new ApiError(this.code, this.message, this.extra, { retryAfterSeconds: this.retryAfterSeconds, status })
  }

  toProblem(): Problem {
    const entry = catalogue.get(this.code)!
    const problem: Problem = { type: errorTypeBase + entry.type, title: entry.title, status: this.status, detail: this.message, code: this.code }
    const extra = this.extra as Record<string, unknown>
    for (const name of entry.extraFields) if (extra[name] !== undefined) problem[name] = extra[name]
    if (this.retryAfterSeconds !== undefined && entry.extraFields.includes('retry_after')) problem.retry_after = this.retryAfterSeconds
    return problem
  }
}

export const notFound = (what = 'resource'): ApiError => new ApiError('RESOURCE_NOT_FOUND', `${what} not found`)

export function badBody(detail: string, fields: { missing?: string[]; invalid?: Record<string, string>; immutable?: string[] } = {}): ApiError {
  const extra: Record<string, unknown> = {}
  if (fields.missing?.length) extra.missing = fields.missing
  if (fields.invalid && Object.keys(fields.invalid).length) extra.invalid = fields.invalid
  if (fields.immutable?.length) extra.immutable = fields.immutable
  return new ApiError('BAD_REQUEST_BODY', detail, extra)
}

/**
 * 400 BAD_QUERY_PARAMETER, which the catalogue gives no extra fields: the detail names each
 * parameter missing, and each one invalid with what is wrong with it ("limit must be >= 1").
 */
export function badQuery(fields: { missing?: readonly string[]; invalid?: Readonly<Record<string, string>> }): ApiError {
  const missing = [...(fields.missing ?? [])].sort()
  const invalid = Object.entries(fields.invalid ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const parts: string[] = []
  if (missing.length) parts.push(`missing required query parameters: ${missing.join(', ')}`)
  if (invalid.length) parts.push(`invalid query parameters: ${invalid.map(([name, why]) => `${name} ${why}`).join('; ')}`)
  return new ApiError('BAD_QUERY_PARAMETER', parts.join('; ') || 'invalid query parameters')
}
