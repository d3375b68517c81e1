// Imported first (for its side effect) by benchmarks that load host modules: from here on,
// `require('vscode')` gets the do-nothing stand-in of fakeVscode.ts.
import { installFakeVscode } from './fakeVscode';

export const fakeVscode = installFakeVscode();
