// What the extension loads the first time it is needed, as dist/ondemand.js: the device side
// (hosting, templates, clones) and Validate Device. Most sessions use neither, and V8 compiles
// every byte of a file it loads: kept out of dist/extension.js, activation stays fast
// (npm run bench -- activation). The host reaches it through src/host/onDemand.ts only.
export * from './device/index';
export { validateDevice } from './core/validate/validate';
export { reportMarkdown } from './core/validate/report';
