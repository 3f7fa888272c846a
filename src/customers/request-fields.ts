import { ApiError, badBody } from '../platform/errors.js'

// The spec's schemas allow extra properties, so a misspelt field would otherwise be dropped in
// silence; and readOnly fields (id, creation_time, verification_status…) are the server's to set.
// Both are refused here, before any change, the way the catalogue's BAD_REQUEST_BODY describes:
// `invalid` for unknown fields, `immutable` for server-set ones. A readOnly field sent back with
// the value it already has (a client PATCHing what it read) is not a modification and passes.

export type Properties = Record<string, { readOnly?: boolean }>

/** The declared properties of an object schema, as the check below reads them. */
export const propertiesOf = (schema: { properties: object }): Properties => schema.properties as Properties

export interface FieldCheck {
  body: Record<string, unknown>
  /** The properties the spec declares for this body. */
  properties: Properties
  /** The resource as the API shows it now; undefined on create. */
  current: Record<string, unknown> | undefined
  workspaceId: string
  /** Server-set fields the spec does not mark readOnly (e.g. a relationship's type on PATCH). */
  alsoImmutable?: readonly string[]
}

export function refuseUnknownAndServerSetFields(c: FieldCheck): void {
  const invalid: Record<string, string> = {}
  const immutable: string[] = []
  for (const [name, value] of Object.entries(c.body)) {
    const property = c.properties[name]
    if (!property) { invalid[name] = 'unknown field'; continue }
    if (name === 'tenant') continue
    const serverSet = property.readOnly === true || (c.alsoImmutable ?? []).includes(name)
    if (serverSet && (c.current === undefined || JSON.stringify(value) !== JSON.stringify(c.current[name]))) immutable.push(name)
  }
  if (Object.keys(invalid).length || immutable.length) {
    const parts = [
      ...(Object.keys(invalid).length ? [`unknown fields: ${Object.keys(invalid).join(', ')}`] : []),
      ...(immutable.length ? [`fields set by the server: ${immutable.join(', ')}`] : []),
    ]
    throw badBody(parts.join('; '), { invalid, immutable })
  }
  // `tenant` names the workspace; a request may repeat its own, never name another.
  if (c.body.tenant !== undefined && c.body.tenant !== c.workspaceId) {
    throw new ApiError('INVALID_TENANCY', `tenant ${String(c.body.tenant)} is not the workspace of this API key`)
  }
}
