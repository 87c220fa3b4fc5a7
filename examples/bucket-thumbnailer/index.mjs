// A bucket thumbnailer for S3 ObjectCreated events: each JPEG or PNG put in the bucket
// is read from the store, shrunk to at most 200 px wide (sharp, aspect kept, never
// enlarged) and written back as thumbnails/<key> in the same bucket. Keys already
// under thumbnails/ are skipped, so the thumbnails it writes never trigger it again.
// The store is any S3-compatible one (MinIO, Ceph RGW, S3): S3_ENDPOINT (or
// AWS_ENDPOINT_URL_S3) and S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY; AWS_* keys are
// Lambda's own, so they cannot be set on a function.
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";

const PREFIX = "thumbnails/";
const MAX_WIDTH = Number(process.env.THUMBNAIL_WIDTH ?? 200);
const TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT || process.env.AWS_ENDPOINT_URL_S3 || undefined,
  forcePathStyle: true,
  ...(process.env.S3_ACCESS_KEY_ID
    ? {
        credentials: {
          accessKeyId: process.env.S3_ACCESS_KEY_ID,
          secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? "",
        },
      }
    : {}),
  // Stores that predate aws-chunked uploads (s3rver, older MinIO) refuse trailing checksums.
  requestChecksumCalculation: "WHEN_REQUIRED",
});

/** The image type of a key, or undefined for anything this function leaves alone. */
function imageType(key) {
  if (key.startsWith(PREFIX)) return undefined;
  return TYPES[key.split(".").pop().toLowerCase()];
}

async function thumbnail(bucket, key, type) {
  const original = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const image = Buffer.from(await original.Body.transformToByteArray());
  const resized = sharp(image).rotate().resize({ width: MAX_WIDTH, withoutEnlargement: true });
  const out = await (type === "image/png" ? resized.png() : resized.jpeg()).toBuffer({ resolveWithObject: true });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${PREFIX}${key}`, Body: out.data, ContentType: type }));
  console.log(`thumbnail ${bucket}/${PREFIX}${key} ${out.info.width}x${out.info.height}`);
  return `${PREFIX}${key}`;
}

export const handler = async (event) => {
  const written = [];
  for (const record of event?.Records ?? []) {
    if (!record.eventName?.startsWith("ObjectCreated:")) continue;
    const bucket = record.s3.bucket.name;
    // Keys arrive URL-encoded, a space as "+", as S3 sends them.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const type = imageType(key);
    if (!type) {
      console.log(`skipped ${bucket}/${key}`);
      continue;
    }
    written.push(await thumbnail(bucket, key, type));
  }
  return { thumbnails: written };
};
