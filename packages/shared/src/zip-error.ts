// The error of a zip that Stratus will not unpack. Its message names the bad entry
// (escaped: zip-names.ts quoted) and is fit for the API caller as it is.
export class ZipError extends Error {}
