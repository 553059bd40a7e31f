// Every case the runner knows, in suite order.
import { compareIds } from './report.mjs';
import { CORE_CASES } from './cases.mjs';

/** Categories 1–10 (12 and 13 join when the deflate cases are registered). */
export const allCases = [...CORE_CASES].sort((a, b) => compareIds(a.id, b.id));
