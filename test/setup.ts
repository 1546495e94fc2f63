// Every test file runs on the WASM backend: the fallback every user gets.
// (The native-vs-WASM parity test selects its backends itself.)
process.env['CAPTION_BACKEND'] ??= 'wasm';
