//! The `code` key's two spellings of a program (`pattern=code`):
//!
//! - **plain**: the Python source as it is, what `window.awaitlab.run({code})`, postMessage `run`
//!   and the Run JSON carry;
//! - **link**: `!` then the UTF-8 source compressed with raw DEFLATE and written in base64url
//!   without padding (`A–Z a–z 0–9 - _`), what links carry, so a program survives any URL and is
//!   2–3× shorter than its source.
//!
//! No Python program starts with `!` (it is not a token that can begin a statement), so a value
//! starting with it is the link form and anything else is plain source: every channel accepts
//! both. The values of the embed's view flag `code=1` (`1`, `0`, `true`, `false`, `yes`, `no`) are
//! no program: they read as none, so old embed links keep opening.
//!
//! Limits (`core::budget`): the source is at most [`MAX_SOURCE_BYTES`], the link form at most
//! [`MAX_CODE_LINK_BYTES`], and inflating stops at [`MAX_SOURCE_BYTES`] (a decompression bomb
//! costs at most that much memory).

use crate::core::budget::{MAX_CODE_LINK_BYTES, MAX_SOURCE_BYTES};

/// The first character of a program's link form.
pub const LINK_MARKER: char = '!';

/// The values of the embed's `code` view flag, which are no program.
const VIEW_FLAGS: &[&str] = &["1", "0", "true", "false", "yes", "no"];

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The link form of `source` (empty for an empty program).
pub fn to_link(source: &str) -> String {
    if source.is_empty() {
        return String::new();
    }
    // Level 9: programs are small, so the best ratio costs well under a millisecond (0.5 ms for
    // 20 KB natively).
    let packed = miniz_oxide::deflate::compress_to_vec(source.as_bytes(), 9);
    let mut out = String::with_capacity(1 + packed.len().div_ceil(3) * 4);
    out.push(LINK_MARKER);
    for chunk in packed.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// The program a `code` value holds, in either form; `Err` is a sentence for the reader.
pub fn read(value: &str) -> Result<String, String> {
    if VIEW_FLAGS.contains(&value.trim()) {
        return Ok(String::new());
    }
    match value.strip_prefix(LINK_MARKER) {
        Some(link) => {
            let source = from_link(link)?;
            check_source(&source).map(|()| source)
        }
        None => check_source(value).map(|()| value.to_string()),
    }
}

/// Why `source` is too long to be a program, if it is.
pub fn check_source(source: &str) -> Result<(), String> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(format!(
            "code is {} bytes long; a program may have at most {MAX_SOURCE_BYTES} bytes (64 KiB)",
            source.len()
        ));
    }
    Ok(())
}

/// Decodes and inflates a link form (after its marker).
fn from_link(link: &str) -> Result<String, String> {
    if link.len() > MAX_CODE_LINK_BYTES {
        return Err(format!(
            "code is {} bytes long in this link; a compressed program may have at most {MAX_CODE_LINK_BYTES}",
            link.len()
        ));
    }
    let packed = base64url(link).ok_or_else(|| {
        "code: this link's program is damaged (not base64url after the leading !); copy the link again".to_string()
    })?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SOURCE_BYTES).map_err(|e| {
        match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                format!("code: this link's program inflates to more than {MAX_SOURCE_BYTES} bytes, the most a program may have")
            }
            _ => "code: this link's program is damaged (it does not inflate); copy the link again".to_string(),
        }
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!("code: this link's program is not UTF-8 text (invalid byte at {})", e.utf8_error().valid_up_to())
    })
}

/// Decodes unpadded base64url; `None` on any other character or an impossible length.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|d| d as u32);
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0;
        for (i, &c) in chunk.iter().enumerate() {
            n |= digit(c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_form_round_trips_and_is_url_safe() {
        for source in
            ["", "a", "ab", "abc", "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n", "é€😀"]
        {
            let link = to_link(source);
            assert!(link.chars().skip(1).all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{link}");
            assert_eq!(read(&link).as_deref(), Ok(source), "{link}");
            if !source.is_empty() {
                assert_eq!(read(source).as_deref(), Ok(source), "plain source reads as itself");
            }
        }
    }

    #[test]
    fn every_program_within_the_limit_has_a_link_that_reads_back() {
        // Random CJK characters: 3 bytes each that do not compress, the worst case for the link.
        let mut x: u32 = 1;
        let worst: String = std::iter::repeat_with(|| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from_u32(0x4E00 + (x >> 16) % 0x5000).unwrap_or('x')
        })
        .take(MAX_SOURCE_BYTES / 3)
        .collect();
        let link = to_link(&worst);
        assert!(link.len() <= MAX_CODE_LINK_BYTES, "{} > {MAX_CODE_LINK_BYTES}", link.len());
        assert_eq!(read(&link).as_deref(), Ok(worst.as_str()));
    }

    #[test]
    fn base64url_rejects_what_it_does_not_write() {
        assert_eq!(base64url("QQ"), Some(b"A".to_vec()));
        assert_eq!(base64url("Q"), None);
        assert_eq!(base64url("QQ=="), None);
        assert_eq!(base64url("Q+/A"), None);
    }
}
