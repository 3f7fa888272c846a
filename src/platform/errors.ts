import { syncteraErrorCodes } from '../spec/error-codes.js'

// Codes Keel answers that Synctera's catalogue has no entry for: transport-level failures that
// happen before a request reaches any endpoint, and sandbox-only features asked of a live workspace.
const keelErrorCodes = [
  { code: 'PAYLOAD_TOO_LARGE', status: 413, type: 'payload-too-large', title: 'Payload Too Large' },
  { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, type: 'unsupported-media-type', title: 'Unsupported Media Type' },
  // A sandbox simulation or test aid asked of a live workspace (shaped like WIPE_NOT_ENABLED).
  { code: 'SIMULATION_NOT_ENABLED', status: 422, type: 'rule-violation', title: 'Rule Violation' },
  // A NACHA file that reads but breaks the format's rules (its errors are listed in the problem).
  { code: 'NACHA_FILE_INVALID', status: 422, type: 'rule-violation', title: 'Rule Violation' },
  { code: 'REQUEST_TIMEOUT', status: 408, type: 'request-timeout', title: 'Request Timeout' },
  { code: 'HEADERS_TOO_LARGE', status: 431, type: 'request-header-fields-too-large', title: 'Request Header Fields Too Large' },
  { code: 'SERVICE_UNAVAILABLE', status: 503, type: 'service-unavailable', title: 'Service Unavailable' },
] as const

type Entry = { code: string; status: number; type: string; title: string }
export type ErrorCode = (typeof syncteraErrorCodes)[number]['code'] | (typeof keelErrorCodes)[number]['code']

const catalogue = new Map<string, Entry>([...syncteraErrorCodes, ...keelErrorCodes].map((e) => [e.code, e]))
export const errorTypeBase = 'https://dev.synctera.com/errors/'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  [extra: string]: unknown
}

/**
 * An expected outcome: a catalogue code, its HTTP status, and what went wrong. The status is the
 * catalogue's, unless the operation answering declares another for the outcome (`withStatus`).
 */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly extra: Record<string, unknown>
  constructor(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}, status?: number) {
    super(detail)
    const entry = catalogue.get(code)
    if (!entry) throw new Error(`unknown error code ${code}`)
    this.code = code
    this.status = status ?? entry.status
    this.extra = extra
  }

  /**
   * The same outcome (code, type, title, detail, extra members) answered with the status an
   * operation's spec declares for it instead of the catalogue's: see `RouteOptions.statuses`.
   */
  withStatus(status: number): ApiError {
    return new ApiError(this.code, this.message, this.extra, status)
  }

  toProblem(): Problem {
    const entry = catalogue.get(this.code)!
    return { type: errorTypeBase + entry.type, title: entry.title, status: this.status, detail: this.message, code: this.code, ...this.extra }
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

export function internalProblem(): Problem {
  return new ApiError('INTERNAL_ERROR', 'internal error').toProblem()
}
