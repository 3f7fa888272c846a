// Keel's own endpoints, beside Synctera's: described here in OpenAPI 3.0 and served in
// /v0/openapi.json under their paths, each marked `x-keel-extension: true`.

const clockResponse = {
  description: 'The workspace\'s time',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_sandbox_clock' } } },
}
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/error' } } } })

export const keelExtensions = {
  paths: {
    '/sandbox/clock': {
      get: {
        'x-keel-extension': true,
        operationId: 'getSandboxClock',
        tags: ['Keel sandbox'],
        summary: 'The workspace clock',
        description: 'The time of the workspace\'s clock: real time in a live workspace; in a sandbox, real time plus how far it has been moved forward.',
        responses: { 200: clockResponse, 401: problem('Unauthorized') },
      },
    },
    '/sandbox/clock/advance': {
      post: {
        'x-keel-extension': true,
        operationId: 'advanceSandboxClock',
        tags: ['Keel sandbox'],
        summary: 'Move a sandbox workspace\'s clock forward',
        description: 'Moves the clock to `to`, or forward `by` an ISO 8601 duration (weeks, days, hours, minutes, seconds), never back, and no further than 9000-01-01T00:00:00Z. Everything that falls due on the way (hold expiry, webhook retries) runs in time order before it answers. The clock then runs on at real speed. A live workspace is answered 400 `FEATURE_NOT_AVAILABLE`.',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_sandbox_clock_advance' } } } },
        responses: { 200: clockResponse, 400: problem('Bad request, or not a sandbox workspace (FEATURE_NOT_AVAILABLE)'), 401: problem('Unauthorized') },
      },
    },
  },
  schemas: {
    keel_sandbox_clock: {
      type: 'object',
      additionalProperties: false,
      required: ['now'],
      properties: { now: { type: 'string', format: 'date-time', description: 'The workspace\'s current time' } },
    },
    keel_sandbox_clock_advance: {
      type: 'object',
      properties: {
        to: { type: 'string', format: 'date-time', description: 'The time to move to (not before the current time)' },
        by: { type: 'string', example: 'PT36H', description: 'How far to move, as an ISO 8601 duration' },
      },
    },
  },
} as const
