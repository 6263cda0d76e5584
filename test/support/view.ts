/**
 * A deep, read-only view of a model type for reading rendered objects in tests.
 *
 * Every optional field is present in the view: a test reads `d.spec.replicas` or
 * `c.resources.limits.memory` without `?.` or `!`, and asserts on fields that may be absent with
 * `toBeUndefined()`. Reading through a field that is absent at run time fails the test with a
 * TypeError, which is what an assertion on it would do too. Arrays become read-only arrays of views,
 * records (`{ [key: string]: T }`) read-only records of views, unions (IntOrString) stay unions of
 * their views, and `any` in a model becomes `unknown`, so nothing untyped leaks into a test.
 */
export type View<T> = 0 extends 1 & T
  ? unknown
  : T extends (...args: never[]) => unknown
    ? T
    : T extends ReadonlyArray<infer U>
      ? ReadonlyArray<View<U>>
      : T extends object
        ? { readonly [K in keyof T]-?: View<NonNullable<T[K]>> }
        : T;
