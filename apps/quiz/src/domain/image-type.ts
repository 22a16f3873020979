/**
 * Which pictures a quiz may carry: PNG, JPEG, GIF and WebP, told by their first bytes (a declared
 * type is not trusted), and at most `IMAGE_MAX_BYTES`. SVG is refused: it can carry script.
 */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** A phone on a crowded Wi-Fi downloads every question's pictures: 1 MiB each at most. */
export const IMAGE_MAX_BYTES = 1024 * 1024;

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean => prefix.every((byte, i) => bytes[at + i] === byte);

/** The picture's real type from its magic bytes, or null for anything else. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

/** What `POST /api/images` answers and quizzes store: an image id (the store's, a UUID). */
export const IMAGE_ID = /^[A-Za-z0-9-]{8,64}$/;
