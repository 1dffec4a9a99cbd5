/**
 * The billing run: many quote requests at once, each answered exactly as a single quote is (its quote, or the
 * error its single request would get), in request order. The API's POST /v1/bills and `mujun bill` both run it.
 * @module app/billing
 */
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'
import type { BillText } from './pricing.ts'
import { QuoteBody, type QuoteRequest, RequestInvalid } from './requests.ts'
import type { Services } from './services.ts'

/** One request of a run: a parsed value, or the error that stopped it being one (a line not JSON, too long). */
export type BillItem = { value: unknown } | { error: unknown }

/** One answer of a run: the quote, the JSON text of the quote (a templated bill), or the error. */
export type BillOutcome =
  | { quote: ReturnType<Services['pricing']['quote']> }
  | { text: BillText }
  | { error: unknown }

/**
 * The outcomes of a chunk of requests, in order (the route and `mujun bill` both answer through this). A plain bill
 * of a firm the pricing snapshot holds is answered from its quote template as text (see PricingService.billTexts);
 * every other request is validated as the single route validates it, the firms of the valid ones read ahead in bulk
 * (see PricingService.prefetch), then each quoted as the single route quotes it. An item is a parsed value, or the
 * error that stopped it being one (a line that is not JSON, one too long).
 */
export function quoteAll(
  services: Services,
  p: Principal | undefined,
  items: BillItem[],
): BillOutcome[] {
  authorize(p, 'bills.run')
  const fast = services.pricing.billTexts(p)
  const out: BillOutcome[] = new Array(items.length)
  const slow: number[] = []
  const requests: QuoteRequest[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    if ('error' in item) {
      out[i] = { error: item.error }
      continue
    }
    const text = fast?.(item.value)
    if (text !== undefined) {
      out[i] = { text }
      continue
    }
    const r = QuoteBody.safeParse(item.value)
    if (!r.success) {
      out[i] = { error: new RequestInvalid(r.error, 'body') }
      continue
    }
    slow.push(i)
    requests.push(r.data)
  }
  if (requests.length > 1) services.pricing.prefetch(requests)
  for (let k = 0; k < slow.length; k++) {
    try {
      out[slow[k]] = { quote: services.pricing.quote(p, requests[k]) }
    } catch (e) {
      out[slow[k]] = { error: e }
    }
  }
  return out
}
