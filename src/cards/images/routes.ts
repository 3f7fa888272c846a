// Custom card images: created for a customer and a card product that takes them, the JPEG data
// uploaded once, then reviewed (APPROVED or REJECTED with a reason). A card of such a product is
// issued only with an approved image of its customer.

import sharp, { type Metadata } from 'sharp'
import { ApiError, badBody } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import type { Api } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { requirePerson } from '../parties-port.js'
import { findProduct } from '../products.js'
import { cardImageData, cardImagesOf, getCardImage, insertCardImage, updateCardImage, type CardImageRow } from './store.js'

type Json = Record<string, unknown>

export const cardImageBytesMax = 10 * 1024 * 1024
export const cardImageWidthMin = 640
export const cardImageHeightMin = 400
export const cardImageSideMax = 4096
/** The parser takes bodies up to twice the limit, so an image just over it gets a clear answer naming the limit. */
export const cardImageBodyBytesMax = 2 * cardImageBytesMax
/** The spec lists a customer's images without paging: at most this many. */
export const cardImagesListedMax = 1000

export const toCardImage = (r: CardImageRow): Json => ({
  id: r.id, card_product_id: r.card_product_id, customer_id: r.customer_id, status: r.status,
  ...(r.rejection_reason ? { rejection_reason: r.rejection_reason } : {}),
  ...(r.rejection_memo ? { rejection_memo: r.rejection_memo } : {}),
})

/**
 * Checks uploaded bytes are a whole JPEG of an allowed size, by decoding them: the declared
 * content type and file name prove nothing. Returns its dimensions.
 */
export async function checkJpeg(data: Buffer): Promise<{ width: number; height: number }> {
  if (data.length === 0) throw badBody('the image is empty', { invalid: { body: 'empty' } })
  if (data.length > cardImageBytesMax) throw badBody(`the image is ${data.length} bytes; at most ${cardImageBytesMax} (10 MiB)`, { invalid: { body: 'too large' } })
  let meta: Metadata
  try {
    meta = await sharp(data, { failOn: 'truncated' }).metadata()
  } catch {
    throw badBody('the data is not an image', { invalid: { body: 'not an image' } })
  }
  if (meta.format !== 'jpeg') throw badBody(`the image is ${meta.format ?? 'of an unknown format'}; card images are JPEG only`, { invalid: { body: 'not JPEG' } })
  const { width = 0, height = 0 } = meta
  if (width < cardImageWidthMin || height < cardImageHeightMin || width > cardImageSideMax || height > cardImageSideMax) {
    throw badBody(`the image is ${width}×${height}; it must be at least ${cardImageWidthMin}×${cardImageHeightMin} and at most ${cardImageSideMax} on a side`, { invalid: { body: 'wrong dimensions' } })
  }
  try {
    // Decoding every pixel finds a truncated or corrupt file that its header alone does not.
    await sharp(data, { failOn: 'truncated' }).raw().toBuffer()
  } catch {
    throw badBody('the JPEG is truncated or corrupt', { invalid: { body: 'corrupt JPEG' } })
  }
  return { width, height }
}

export function registerCardImageRoutes(api: Api): void {
  const { sql, clock } = api.services

  // Image bytes arrive raw; any image/* type is read so the content, not the label, decides.
  api.app.addContentTypeParser(/^image\/.*/, { parseAs: 'buffer', bodyLimit: cardImageBodyBytesMax }, (req, body, done) => {
    req.bodyBytes = body as Buffer
    done(null, body)
  })

  const event = async (tx: Parameters<typeof recordEvent>[0], workspaceId: string, before: CardImageRow | undefined, after: CardImageRow) => {
    const resource = toCardImage(after)
    await recordEvent(tx, { at: after.updated_at, workspaceId, type: 'CARD.IMAGE.UPDATED', resourceId: after.id, resource, ...(before ? { changedFields: changedFields(toCardImage(before), resource) } : {}) })
  }

  api.write('createCardImage', async ({ tx, workspace, body }) => {
    const product = findProduct(workspace, body.card_product_id)
    if (!product) throw badBody(`card_product_id ${body.card_product_id} names no card product of this workspace`, { invalid: { card_product_id: 'no such card product' } })
    if (!product.imageMode) throw badBody(`card product ${product.id} takes no custom images`, { invalid: { card_product_id: 'no custom images' } })
    await requirePerson(tx, workspace.id, body.customer_id, 'customer_id')
    const now = clock.now(workspace.id)
    const row: CardImageRow = {
      workspace_id: workspace.id, id: uuidv7(), card_product_id: product.id, customer_id: body.customer_id, status: 'NOT_UPLOADED',
      rejection_reason: null, rejection_memo: null, width: null, height: null, created_at: now, updated_at: now,
    }
    await insertCardImage(tx, row)
    await event(tx, workspace.id, undefined, row)
    return toCardImage(row)
  })

  api.read('getCardImageDetails', async ({ workspace, params }) => {
    const row = await getCardImage(sql, workspace.id, params.card_image_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `card image ${params.card_image_id} not found`)
    return toCardImage(row)
  })

  api.read('listCardImageDetails', async ({ workspace, query }) => ({
    images: (await cardImagesOf(sql, workspace.id, query.customer_id, cardImagesListedMax)).map(toCardImage),
  }))

  api.write('uploadCardImageData', async ({ tx, workspace, params, body }) => {
    const row = await getCardImage(tx, workspace.id, params.card_image_id, true)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `card image ${params.card_image_id} not found`)
    if (!Buffer.isBuffer(body)) throw badBody('send the image bytes with Content-Type image/jpeg', { invalid: { body: 'not image data' } })
    if (row.status !== 'NOT_UPLOADED') throw new ApiError('INVALID_STATUS', `card image ${row.id} is ${row.status}; its data is sent once (create a new image to change it)`, { valid_status: ['NOT_UPLOADED'] })
    const size = await checkJpeg(body)
    const after: CardImageRow = { ...row, status: 'UNREVIEWED', ...size, updated_at: clock.now(workspace.id) }
    await updateCardImage(tx, after, body)
    await event(tx, workspace.id, row, after)
    return toCardImage(after)
  }, { bodyLimit: cardImageBodyBytesMax })

  api.route('getCardImageData', async (req, reply) => {
    const { card_image_id: id } = req.params as { card_image_id: string }
    const data = await cardImageData(sql, req.workspace.id, id)
    if (data === undefined) throw new ApiError('RESOURCE_NOT_FOUND', `card image ${id} not found`)
    if (data === null) throw new ApiError('RESOURCE_NOT_FOUND', `card image ${id} has no data yet (upload it with POST /v0/cards/images/${id}/data)`)
    return reply.code(200).type('image/jpeg').header('x-content-type-options', 'nosniff').send(data)
  })

  // The review a bank does in live: through the API, a sandbox's stand-in for it.
  api.write('updateCardImageDetails', async ({ tx, workspace, params, body }) => {
    const row = await getCardImage(tx, workspace.id, params.card_image_id, true)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `card image ${params.card_image_id} not found`)
    if (body.status !== 'APPROVED' && body.status !== 'REJECTED') throw badBody('a review sets status APPROVED or REJECTED', { invalid: { status: 'APPROVED or REJECTED' } })
    if (row.status !== 'UNREVIEWED') throw new ApiError('INVALID_STATUS', `card image ${row.id} is ${row.status}; only an UNREVIEWED image is reviewed`, { valid_status: ['UNREVIEWED'] })
    if (body.status === 'REJECTED' && body.rejection_reason === undefined) throw badBody('a rejection names its rejection_reason', { missing: ['rejection_reason'] })
    if (body.status === 'APPROVED' && (body.rejection_reason !== undefined || body.rejection_memo !== undefined)) throw badBody('an approval has no rejection_reason or rejection_memo', { invalid: { rejection_reason: 'only with REJECTED' } })
    const after: CardImageRow = { ...row, status: body.status, rejection_reason: body.rejection_reason ?? null, rejection_memo: body.rejection_memo ?? null, updated_at: clock.now(workspace.id) }
    await updateCardImage(tx, after)
    await event(tx, workspace.id, row, after)
    return toCardImage(after)
  }, { sandboxOnly: 'card image reviews through the API' })
}
