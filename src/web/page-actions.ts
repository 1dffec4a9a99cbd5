/**
 * Which action of the permission table each page performs ('public': no login needed). A page answers a refusal
 * as a page (401 with a login link, 403), not as problem+json.
 * @module web/page-actions
 */
import type { Action } from '../app/permissions.ts'

export const PAGE_ACTIONS: Record<string, Action | 'public'> = {
  'GET /': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'GET /logout': 'public',
  'POST /logout': 'public',
  'GET /self-check': 'public',
  'POST /self-check': 'public',
  'POST /objection': 'objection.file',
  'GET /programme': 'programme.read',
  'GET /programme/project': 'programme.read',
  'POST /programme/project': 'programme.write',
  'POST /programme/ledger': 'programme.write',
  'POST /programme/verify': 'programme.verify',
  'GET /provenance': 'provenance.read',
  'GET /programme/basis': 'programme.read',
  'GET /programme/report': 'programme.read',
  'GET /programme/report.csv': 'programme.read',
  'GET /overview': 'overview.read',
  'GET /my': 'programme.firm',
  'GET /my/objection': 'objection.read',
}
