import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { syncteraErrorCodes } from '../../src/spec/error-codes.js'

/**
 * Keel's own codes (src/platform/errors.ts), with the extension members each may carry: the
 * transport codes, for what fails before a request reaches an endpoint or when the server cannot
 * serve it, and NACHA_FILE_INVALID, which only Keel's own NACHA file endpoints answer.
 */
const keelCodes: Record<string, readonly string[]> = {
  PAYLOAD_TOO_LARGE: [], UNSUPPORTED_MEDIA_TYPE: [], REQUEST_TIMEOUT: [], HEADERS_TOO_LARGE: [], SERVICE_UNAVAILABLE: [],
  NACHA_FILE_INVALID: ['errors', 'warnings', 'summary'],
}

/** The codes a refusal of a Synctera operation may carry: Synctera's catalogue, and Keel's transport codes. */
export const errorCatalogue: ReadonlySet<string> = new Set<string>([
  ...syncteraErrorCodes.map((e) => e.code),
  'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'SERVICE_UNAVAILABLE',
])

const catalogueFile = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'synctera-errorcodes-v0.yml')

/**
 * Each code's extra_fields, read from Synctera's catalogue itself when it is beside the checkout
 * (so a test does not trust Keel's generated copy), else from that copy.
 */
function catalogueExtraFields(): Map<string, readonly string[]> {
  const entries: readonly { code: string; extraFields: readonly string[] }[] = existsSync(catalogueFile)
    ? (parse(readFileSync(catalogueFile, 'utf8')) as { error_codes: { code: string; extra_fields?: object }[] }).error_codes
      .map((e) => ({ code: e.code, extraFields: Object.keys(e.extra_fields ?? {}) }))
    : syncteraErrorCodes
  return new Map([...entries.map((e) => [e.code, e.extraFields] as const), ...Object.entries(keelCodes)])
}

let extraFields: Map<string, readonly string[]> | undefined
/** The members of the spec's `error` schema: every problem may carry these. */
export const problemMembers: readonly string[] = ['type', 'title', 'status', 'detail', 'code']

/**
 * The members of a problem body that neither the spec's `error` schema nor the catalogue's
 * extra_fields for its code declare (empty when the body keeps to them). An unknown code declares
 * no extra field.
 */
export function undeclaredProblemMembers(body: Record<string, unknown>): string[] {
  extraFields ??= catalogueExtraFields()
  const declared = extraFields.get(String(body.code)) ?? []
  return Object.keys(body).filter((k) => !problemMembers.includes(k) && !declared.includes(k))
}
