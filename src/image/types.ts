/** How a photo of any shape becomes the encoder's square input. */
export type ResizePolicy = 'squash' | 'center-crop';

export interface ImageLoadOptions {
  /** Side of the square the encoder takes (MobileNet: 224). */
  size: number;
  /**
   * `squash` (default): the whole photo is resized to size×size without keeping its aspect ratio, so
   * the 14×14 attention grid covers the whole photo (Flickr8k in ../shared was prepared this way).
   * `center-crop`: resize the short side to `size`, then cut the central square (ImageNet style).
   */
  policy: ResizePolicy;
  /** Decompression-bomb guard: photos whose header declares more pixels are refused before decoding. */
  maxPixels: number;
}

/** A region of the original photo, in its (EXIF-oriented) pixel coordinates. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A photo ready for the encoder, and what the overlay needs to map attention back onto it. */
export interface PreparedImage {
  file: string;
  /** Size of the photo as displayed (after EXIF orientation). */
  originalWidth: number;
  originalHeight: number;
  /** The part of the original photo the encoder sees (whole photo for `squash`). */
  region: Region;
  /** Side of the square input. */
  size: number;
  /** sRGB bytes, row-major, `[size, size, 3]`. */
  pixels: Uint8Array;
}

/** An oriented sRGB photo at its original size (what overlays paint on). */
export interface RgbImage {
  width: number;
  height: number;
  /** sRGB bytes, row-major, `[height, width, 3]`. */
  pixels: Uint8Array;
}
