/**
 * The intentional differences from ws: case id → why we differ. Each id must be named, with its
 * reason, in the "Differences from ws" section of packages/client/README.md or
 * packages/server/README.md (the suite checks it). A case listed here that behaves as ws fails the
 * suite too, so the list can only shrink when the code changes.
 */
export const DIFFERENCES: Readonly<Record<string, string>> = {};
