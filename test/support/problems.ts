import { syncteraErrorCodes } from '../../src/spec/error-codes.js'

/**
 * The codes a refusal may carry in a sandbox workspace: Synctera's catalogue, and Keel's transport
 * codes for what fails before a request reaches an endpoint (src/platform/errors.ts).
 */
export const errorCatalogue: ReadonlySet<string> = new Set<string>([
  ...syncteraErrorCodes.map((e) => e.code),
  'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'SERVICE_UNAVAILABLE',
])
