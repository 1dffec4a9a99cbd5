/**
 * The revision a priced answer names in its `Mujun-Revision` header, for the API's middleware and the tier's direct
 * path alike.
 * @module http/revision
 */

/** Routes that answer a price or a tier: their answers name the revision of the data they rest on. */
export const PRICED = /^\/v1\/(quotes|bills|tiers|enterprises\/[^/]+\/(tier|rates|classes))/

/**
 * The revision an answer rests on, as a utility can use it: the head of the audit log (the change feed's cursor,
 * GET /v1/tiers/changes), read once per database revision. An answer with revision R reflects every act up to R;
 * asking the feed since R lists what changed after it. A billing run's stream names the revision it began at.
 */
export function revisionHead(store: { cachedRevision: number; auditHead(): number }): () => string {
  let seen = -1
  let head = ''
  return () => {
    if (store.cachedRevision !== seen) {
      seen = store.cachedRevision
      head = String(store.auditHead())
    }
    return head
  }
}
