import { ApiError, badBody } from '../platform/errors.js'
import { sameJson } from '../platform/objects.js'
import { address } from '../spec/schemas.js'

// The spec's request schemas allow properties they do not declare, so Keel accepts them and
// ignores them: a request the spec allows is never refused. ReadOnly fields (id, creation_time,
// verification_status…) are the server's to set: ignored on create, and on update refused as
// `immutable` (the catalogue's BAD_REQUEST_BODY field) only when the request would change them;
// a client PATCHing back what it read passes.

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

export function refuseChangedServerSetFields(c: FieldCheck): void {
  const immutable: string[] = []
  for (const [name, value] of Object.entries(c.body)) {
    const property = c.properties[name]
    if (!property || name === 'tenant' || c.current === undefined) continue
    const serverSet = property.readOnly === true || (c.alsoImmutable ?? []).includes(name)
    if (serverSet && !sameJson(value, c.current[name])) immutable.push(name)
  }
  if (immutable.length) throw badBody(`fields set by the server cannot be changed: ${immutable.join(', ')}`, { immutable })
  // `tenant` names the workspace; a request may repeat its own, never name another.
  if (c.body.tenant !== undefined && c.body.tenant !== c.workspaceId) {
    throw new ApiError('INVALID_TENANCY', `tenant ${String(c.body.tenant)} is not the workspace of this API key`)
  }
}

/** The body with only the properties the spec declares for it: undeclared ones play no part in the rules. */
export function declaredOnly<T extends Record<string, unknown>>(body: T, properties: Properties): T {
  return Object.fromEntries(Object.entries(body).filter(([name]) => properties[name] !== undefined)) as T
}

/**
 * An address as kept: the properties the spec declares for one, less the server's own (its id, and
 * its address_type, which the field it sits in decides). Undeclared ones are ignored here as at the
 * top of a body, so an answer never shows a property its schema does not declare.
 */
export function storedAddress(value: Record<string, unknown>): Record<string, unknown> {
  const declared = propertiesOf(address)
  return Object.fromEntries(Object.entries(value).filter(([name]) => declared[name] !== undefined && declared[name].readOnly !== true))
}

/**
 * The most a name that lists sort and filter by may take, in UTF-8 bytes: PostgreSQL's b-tree
 * indexes (persons_last_name, businesses_entity_name) hold an entry of at most 2,704 bytes, and a
 * longer name failed the write with a 500. A kilobyte is far past any real name.
 */
export const indexedNameBytesMax = 1024

/** Whether a name is longer than indexedNameBytesMax. */
export const overlongName = (value: unknown): boolean => typeof value === 'string' && Buffer.byteLength(value, 'utf8') > indexedNameBytesMax
