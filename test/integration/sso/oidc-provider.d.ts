// oidc-provider 8 ships no types; the tests use a small, untyped surface of it.
declare module 'oidc-provider' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped test-only dependency
  const Provider: any;
  export default Provider;
}
