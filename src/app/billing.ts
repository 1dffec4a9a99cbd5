/**
 * The billing run: many quote requests at once, each answered exactly as a single quote is (its quote, or the
 * error its single request would get), in request order. The API's POST /v1/bills and `mujun bill` both run it.
 * @module app/billing
 */
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'
import { QuoteBody, RequestInvalid } from './requests.ts'
import type { Services } from './services.ts'

/** One request of a run: a parsed value, or the error that stopped it being one (a line not JSON, too long). */
export type BillItem = { value: unknown } | { error: unknown }

/**
 * The outcomes of a chunk of requests, in order (the route and `mujun bill` both answer through this): each
 * validated as the single route validates it; the firms of the valid ones read ahead in bulk (see
 * PricingService.prefetch), then each quoted as the single route quotes it. An item is a parsed value, or the
 * error that stopped it being one (a line that is not JSON, one too long).
 */
export function quoteAll(
  services: Services,
  p: Principal | undefined,
  items: BillItem[],
): ({ quote: ReturnType<Services['pricing']['quote']> } | { error: unknown })[] {
  authorize(p, 'bills.run')
  const parsed = items.map((item) => {
    if ('error' in item) return { error: item.error }
    const r = QuoteBody.safeParse(item.value)
    return r.success ? { request: r.data } : { error: new RequestInvalid(r.error, 'body') }
  })
  const valid = parsed.flatMap((x) => ('request' in x && x.request ? [x.request] : []))
  if (valid.length > 1) services.pricing.prefetch(valid)
  return parsed.map((x) => {
    if (!('request' in x) || !x.request) return { error: x.error }
    try {
      return { quote: services.pricing.quote(p, x.request) }
    } catch (e) {
      return { error: e }
    }
  })
}
