// `require('tsx/cjs')` registers tsx's TypeScript loader for its side effect; the package's types are not reachable
// under this project's `commonjs` module resolution, and nothing from it is used.
declare module 'tsx/cjs';
