import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/** A compiled WebAssembly module (the project's `lib` carries no WebAssembly types). */
type WasmModule = object;
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };

/** PGlite's two WebAssembly modules, compiled. */
export interface PgliteWasm {
  pgliteWasmModule: WasmModule;
  initdbWasmModule: WasmModule;
}

let compiled: Promise<PgliteWasm> | undefined;

/**
 * PGlite's WebAssembly, compiled once per process and reused by every instance, in this thread or
 * another: compiling it again for each database costs seconds of CPU (a test run opens a database per
 * server), and each compile allocates and later frees executable code, which intermittently aborts
 * Node 24's V8 (`Check failed: jit_page_->allocations_.erase(addr) == 1`, nodejs/node#64500).
 */
export function pgliteWasm(): Promise<PgliteWasm> {
  compiled ??= (async () => {
    // createRequire, not import.meta.resolve: the test runner may load this file as CommonJS.
    const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const compile = async (file: string) => WebAssembly.compile(await fs.promises.readFile(path.join(dist, file)));
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compile('pglite.wasm'), compile('initdb.wasm')]);
    return { pgliteWasmModule, initdbWasmModule };
  })();
  return compiled;
}
