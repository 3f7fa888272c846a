// Keel's own ACH endpoints, beside Synctera's: the NACHA files Keel cut and received, ingesting a
// file as the receiving bank, validating one without applying it, the ACH settings, and resolving an
// incoming entry held in suspense. Served in /v0/openapi.json
// under their paths, each marked `x-keel-extension: true`.

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/error' } } } })
const nachaBody = { required: true, content: { 'text/plain': { schema: { type: 'string', description: 'A NACHA file: 94-character records' } } } }

const fileRequired = ['id', 'direction', 'status', 'sha256', 'entry_count', 'debit_total', 'credit_total', 'created']
const fileProperties = {
  id: { type: 'string', format: 'uuid' },
  direction: { type: 'string', enum: ['OUTGOING', 'INCOMING'] },
  status: { type: 'string', enum: ['CUT', 'SETTLED', 'APPLIED', 'SCHEDULED'], description: 'OUTGOING: CUT (sent), SETTLED. INCOMING: APPLIED, SCHEDULED (entries waiting for their effective date).' },
  window: { type: 'string', description: 'The outgoing window it was cut at (NEXT_DAY, SAME_DAY_1…3)' },
  sha256: { type: 'string' },
  entry_count: { type: 'integer' },
  debit_total: { type: 'integer', description: 'Cents' },
  credit_total: { type: 'integer', description: 'Cents' },
  created: { type: 'string', format: 'date-time' },
}

const settingsSchema = {
  immediate_origin: { type: 'string', pattern: '^[0-9]{9,10}$', description: 'File header immediate origin: a routing number, or 10 characters such as 1 and a tax id. Default: the ODFI routing number' },
  immediate_origin_name: { type: 'string', minLength: 1, maxLength: 23, description: 'File header immediate origin name. Default: KEEL BANK' },
  immediate_destination: { type: 'string', pattern: '^[0-9]{9}$', description: 'File header immediate destination: a routing number with a valid check digit. Default: 011000015 (FedACH)' },
  immediate_destination_name: { type: 'string', minLength: 1, maxLength: 23, description: 'Default: FEDERAL RESERVE BANK' },
  company_id: { type: 'string', pattern: '^[0-9A-Z]{10}$', description: 'Batch header company identification. Default: 1 and the ODFI routing number' },
  company_name: { type: 'string', minLength: 1, maxLength: 16, description: 'Batch header company name when a request names none. Default: the workspace name' },
  gateway_timeout_decision: { type: 'string', enum: ['APPROVE', 'DECLINE'], description: 'What an ACH gateway that does not answer 200 or 402 within its max_wait_ms stands for. Default: APPROVE' },
}
const settingsProperties = Object.keys(settingsSchema)

export const achExtensions = {
  paths: {
    '/ach/files': {
      get: {
        'x-keel-extension': true,
        operationId: 'listAchFiles',
        tags: ['Keel ACH files'],
        summary: 'List the NACHA files Keel cut and received',
        parameters: [
          { in: 'query', name: 'direction', required: false, schema: { type: 'string', enum: ['OUTGOING', 'INCOMING'] } },
          { in: 'query', name: 'limit', required: false, schema: { type: 'integer', minimum: 1, default: 100 } },
          { in: 'query', name: 'page_token', required: false, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'Files, newest last', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_file_list' } } } }, 400: problem('Bad query'), 401: problem('Unauthorized') },
      },
      post: {
        'x-keel-extension': true,
        operationId: 'ingestAchFile',
        tags: ['Keel ACH files'],
        summary: 'Receive a NACHA file as the receiving bank and apply it',
        description: 'Entries effective today or earlier apply at once; later ones at the first incoming processing time of their date. The same file (same bytes) applies once: sent again it changes nothing and answers `already_applied: true`. A file with errors answers 422 with every error.',
        requestBody: nachaBody,
        responses: {
          201: { description: 'The file as received and its entries', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_ingest_result' } } } },
          200: { description: 'The file had been applied already; nothing changed', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_ingest_result' } } } },
          400: problem('Unreadable request; or a live workspace (FEATURE_NOT_AVAILABLE): there the bank\'s operator ingests files with `keel ach ingest`'), 401: problem('Unauthorized'), 422: problem('The file has errors (listed in `errors`)'),
        },
      },
    },
    '/ach/settings': {
      get: {
        'x-keel-extension': true,
        operationId: 'getAchSettings',
        tags: ['Keel ACH settings'],
        summary: 'The workspace\'s ACH settings: the ODFI fields of the files Keel cuts, and the gateway time-out decision',
        responses: { 200: { description: 'The settings (defaults where never set)', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_settings' } } } }, 401: problem('Unauthorized') },
      },
      put: {
        'x-keel-extension': true,
        operationId: 'putAchSettings',
        tags: ['Keel ACH settings'],
        summary: 'Set the workspace\'s ACH settings',
        description: 'Each field is optional; a field left out keeps its value. Files cut after the change carry the new file header; entries originated after it carry the new company id and name in their batch header. `odfi_routing_number` is read-only (the accounts\' `bank_routing`).',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_settings_change' } } } },
        responses: { 200: { description: 'The settings after the change', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_settings' } } } }, 400: problem('A field is invalid (each named in `invalid`)'), 401: problem('Unauthorized') },
      },
    },
    '/ach/files/validate': {
      post: {
        'x-keel-extension': true,
        operationId: 'validateAchFile',
        tags: ['Keel ACH files'],
        summary: 'Validate a NACHA file without applying it',
        description: 'Answers the verdict, the summary (batches, entries, totals by SEC code) and every error and warning. A file with errors answers 422 with the same body in the problem (`errors`, `summary`); only an unreadable request is 400.',
        requestBody: nachaBody,
        responses: { 200: { description: 'A valid file', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_validation' } } } }, 400: problem('Unreadable request'), 401: problem('Unauthorized'), 422: problem('The file has errors') },
      },
    },
    '/ach/incoming/{id}/resolve': {
      post: {
        'x-keel-extension': true,
        operationId: 'resolveIncomingAch',
        tags: ['Keel ACH incoming'],
        summary: 'Resolve an incoming entry IN_SUSPENSE: post its money to an account, or return it',
        description: 'An entry is IN_SUSPENSE when Keel took it back after its return was dishonored but could not post it (no such account, closed, frozen, not enough funds): its money waits in the ACH suspense account. `POST` moves it to the customer account named (the entry becomes POSTED there); `RETURN` returns the entry again in the next outgoing file (RETURNED), with `return_code` or the code of Keel\'s earlier return.',
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_resolution' } } } },
        responses: {
          200: { description: 'The entry after', content: { 'application/json': { schema: { $ref: '#/components/schemas/incoming_ach' } } } },
          400: problem('The resolution is invalid (fields named in `invalid` or `missing`), or the account does not exist; or a live workspace (FEATURE_NOT_AVAILABLE): there the bank\'s operator resolves with `keel ach resolve`'), 401: problem('Unauthorized'), 404: problem('No such incoming entry'),
          422: problem('The entry is not IN_SUSPENSE, or the account cannot take it (closed, frozen, not enough funds)'),
        },
      },
    },
    '/ach/files/{file_id}': {
      get: {
        'x-keel-extension': true,
        operationId: 'getAchFile',
        tags: ['Keel ACH files'],
        summary: 'A NACHA file: its record as JSON, or with `Accept: text/plain` the file itself',
        parameters: [{ in: 'path', name: 'file_id', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The file', content: { 'application/json': { schema: { $ref: '#/components/schemas/keel_ach_file_detail' } }, 'text/plain': { schema: { type: 'string' } } } },
          401: problem('Unauthorized'), 404: problem('No such file'),
        },
      },
    },
  },
  schemas: {
    keel_ach_file: {
      type: 'object',
      additionalProperties: false,
      required: fileRequired,
      properties: fileProperties,
    },
    keel_ach_file_list: {
      type: 'object',
      additionalProperties: false,
      required: ['files'],
      properties: { files: { type: 'array', items: { $ref: '#/components/schemas/keel_ach_file' } }, next_page_token: { type: 'string' } },
    },
    keel_ach_file_detail: {
      type: 'object',
      additionalProperties: false,
      required: [...fileRequired, 'content'],
      properties: {
        ...fileProperties,
        content: { type: 'string', description: 'The NACHA file' },
        outgoing_ach_ids: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'OUTGOING: the entries it carries' },
        incoming_ach_ids: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'INCOMING: the entries it brought' },
      },
    },
    keel_ach_ingest_result: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'already_applied', 'entries'],
      properties: {
        file: { $ref: '#/components/schemas/keel_ach_file' },
        already_applied: { type: 'boolean' },
        entries: { type: 'array', items: { $ref: '#/components/schemas/incoming_ach' } },
      },
    },
    keel_ach_validation: {
      type: 'object',
      additionalProperties: false,
      required: ['valid', 'summary', 'errors', 'warnings'],
      properties: {
        valid: { type: 'boolean' },
        summary: { type: 'object', additionalProperties: true },
        errors: { type: 'array', items: { $ref: '#/components/schemas/keel_nacha_issue' } },
        warnings: { type: 'array', items: { $ref: '#/components/schemas/keel_nacha_issue' } },
      },
    },
    keel_ach_settings: {
      type: 'object',
      additionalProperties: false,
      required: ['odfi_routing_number', ...settingsProperties],
      properties: {
        odfi_routing_number: { type: 'string', description: 'The ODFI routing number (the accounts\' bank_routing; its first 8 digits begin every trace number). Read-only.' },
        ...settingsSchema,
        last_updated_time: { type: 'string', format: 'date-time', description: 'When the settings were last set; absent while they are the defaults' },
      },
    },
    keel_ach_settings_change: {
      type: 'object',
      additionalProperties: false,
      properties: settingsSchema,
    },
    keel_ach_resolution: {
      type: 'object',
      additionalProperties: false,
      required: ['action'],
      properties: {
        action: { type: 'string', enum: ['POST', 'RETURN'] },
        account_id: { type: 'string', format: 'uuid', description: 'POST: the customer account that takes the entry' },
        return_code: { type: 'string', pattern: '^R[0-9]{2}$', description: 'RETURN: the return reason code; default the code of Keel\'s earlier return of the entry' },
      },
    },
    keel_nacha_issue: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'record', 'line', 'field', 'value', 'message'],
      properties: {
        code: { type: 'string' }, record: { type: 'string' }, line: { type: 'integer' }, field: { type: 'string' }, value: { type: 'string' }, message: { type: 'string' },
      },
    },
  },
} as const
