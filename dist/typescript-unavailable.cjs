'use strict';
// Stands in for TypeScript, which @pulumi/pulumi loads only to serialize JavaScript functions
// (dynamic providers, callbacks). This action's programs never do; reaching this is a bug.
module.exports = new Proxy({}, {
  get(_, key) {
    if (key === '__esModule' || typeof key === 'symbol') return undefined
    throw new Error('TypeScript is not bundled with this action (function serialization is not supported): tried to use typescript.' + String(key))
  }
});
