// Every case the runner knows, in suite order.
import { compareIds } from './report.mjs';
import { CORE_CASES } from './cases.mjs';
import { DEFLATE_CASES } from './deflate-cases.mjs';

/** Categories 1–10, 12 and 13. */
export const allCases = [...CORE_CASES, ...DEFLATE_CASES].sort((a, b) => compareIds(a.id, b.id));
