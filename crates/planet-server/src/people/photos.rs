//! Photos and logos: an upload is sniffed (its bytes, not its name, say what it is), decoded
//! within limits (a small file cannot claim a huge picture), turned upright, and re-encoded as
//! a plain JPEG. Nothing of the original file is kept: no EXIF, no GPS position, no comments.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Rgb, RgbImage};
use std::io::Cursor;

/// The largest upload accepted.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;
/// A picture may be at most this many pixels wide or high.
const MAX_SIDE: u32 = 10_000;
/// Decoding may use at most this much memory.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// The profile picture fits in this square; the thumbnail is this square.
const FULL_SIDE: u32 = 800;
const THUMB_SIDE: u32 = 160;
const QUALITY: u8 = 82;

/// Why an upload was refused, in words a member understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    NotAPicture,
    TooBig,
    TooManyPixels,
    Damaged,
}

impl PhotoError {
    pub fn message(self) -> &'static str {
        match self {
            PhotoError::NotAPicture => "Please choose a photo: a JPEG, PNG or WebP picture.",
            PhotoError::TooBig => "This picture is too big. Please choose one under 10 MB.",
            PhotoError::TooManyPixels => {
                "This picture has too many pixels to open safely. Please choose a smaller one."
            }
            PhotoError::Damaged => "This picture could not be opened. It may be damaged; please try another.",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PhotoError::NotAPicture => "photo_not_a_picture",
            PhotoError::TooBig => "photo_too_big",
            PhotoError::TooManyPixels => "photo_too_many_pixels",
            PhotoError::Damaged => "photo_damaged",
        }
    }
}

/// A picture ready to store: JPEG bytes for the profile and for lists.
#[derive(Debug, Clone)]
pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAPicture)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(PhotoError::NotAPicture);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let refused = |err: ImageError| match err {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::Damaged,
    };
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refused)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// Transparent parts (logos) go on white: JPEG has no transparency.
fn on_white(picture: &DynamicImage) -> RgbImage {
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([over(r), over(g), over(b)])
    })
}

fn jpeg(picture: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(picture).map_err(|_| PhotoError::Damaged)?;
    Ok(out)
}

/// Check and re-encode an upload. CPU-heavy: call it off the async threads.
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoError> {
    if bytes.len() > MAX_UPLOAD {
        return Err(PhotoError::TooBig);
    }
    let picture = decode(bytes)?;
    let full = if picture.width() > FULL_SIDE || picture.height() > FULL_SIDE {
        picture.resize(FULL_SIDE, FULL_SIDE, FilterType::Lanczos3)
    } else {
        picture.clone()
    };
    let thumb = picture.resize_to_fill(THUMB_SIDE, THUMB_SIDE, FilterType::Triangle);
    let full = on_white(&full);
    Ok(Processed { width: full.width(), height: full.height(), full: jpeg(&full)?, thumb: jpeg(&on_white(&thumb))? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture =
            DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(width, height, image::Rgba([10, 120, 40, 128])));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// A JPEG with an EXIF block carrying a GPS position.
    pub(crate) fn jpeg_with_gps() -> Vec<u8> {
        let mut plain = Vec::new();
        JpegEncoder::new(&mut plain).encode_image(&RgbImage::from_pixel(1200, 900, Rgb([200, 180, 90]))).unwrap();
        let payload = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 52.3763N GPSLongitude 1.1088E";
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(payload);
        [&plain[..2], &app1[..], &plain[2..]].concat()
    }

    #[test]
    fn pictures_are_re_encoded_without_their_metadata() {
        let original = jpeg_with_gps();
        assert!(original.windows(11).any(|w| w == b"GPSLatitude"));
        let done = process(&original).unwrap();
        assert!(!done.full.windows(4).any(|w| w == b"Exif"));
        assert!(!done.full.windows(11).any(|w| w == b"GPSLatitude"));
        assert_eq!((done.width, done.height), (800, 600));
        assert_eq!(image::guess_format(&done.thumb).unwrap(), ImageFormat::Jpeg);
        // A transparent logo goes on white.
        let logo = process(&png(50, 20)).unwrap();
        assert_eq!((logo.width, logo.height), (50, 20));
    }

    /// PNG's chunk checksum, so the forged header is read rather than rejected as damaged.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn what_is_not_a_safe_picture_is_refused() {
        assert_eq!(process(b"%PDF-1.7 not a picture").unwrap_err(), PhotoError::NotAPicture);
        assert_eq!(process(b"GIF89a....").unwrap_err(), PhotoError::NotAPicture);
        assert_eq!(process(&vec![0u8; MAX_UPLOAD + 1]).unwrap_err(), PhotoError::TooBig);
        let mut truncated = png(40, 40);
        truncated.truncate(60);
        assert_eq!(process(&truncated).unwrap_err(), PhotoError::Damaged);
        // A decompression bomb: a tiny PNG that claims to be 50,000 pixels square.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(process(&bomb).unwrap_err(), PhotoError::TooManyPixels);
    }
}
