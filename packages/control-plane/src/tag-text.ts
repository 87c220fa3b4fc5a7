// The characters AWS allows in a tag's key and value (IAM, CloudWatch Logs, SQS and
// others share the pattern): letters, digits, spaces and _.:/=+-@.
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
