/**
 * The subset of tap's Test the kit uses, so helpers work in any subtest. Tap runs teardowns
 * last-in first-out: what is registered first runs last.
 */
export interface TestLike {
  teardown(fn: () => unknown): void;
}
