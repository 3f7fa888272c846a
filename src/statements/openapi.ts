// Keel's extension of GET /v0/statements/{statement_id}: the same statement as a PDF when the
// request asks for application/pdf (Synctera offers no printable statement). Added to the served
// OpenAPI document under the spec's own operation, marked `x-keel-extension: true` as Keel's own
// paths are (src/sandbox/openapi.ts).

const pdfContent = {
  'application/pdf': {
    'x-keel-extension': true,
    schema: { type: 'string', format: 'binary', description: 'Keel extension: the statement as a printable PDF, when the request sends `Accept: application/pdf`.' },
  },
}

/** The document with the PDF form of a statement declared beside the JSON one. */
export function withStatementPdf<D extends { paths: Record<string, unknown> }>(doc: D): D {
  const path = doc.paths['/statements/{statement_id}'] as { get?: { responses?: Record<string, { content?: Record<string, unknown> }> } } | undefined
  const ok = path?.get?.responses?.['200']
  if (!ok) return doc
  return { ...doc, paths: { ...doc.paths, '/statements/{statement_id}': { ...path, get: { ...path.get, responses: { ...path.get!.responses, 200: { ...ok, content: { ...ok.content, ...pdfContent } } } } } } }
}
