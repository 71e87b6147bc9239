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

use std::cell::Cell;

use crate::core::budget::{MAX_CODE_LINK_BYTES, MAX_SOURCE_BYTES};

/// The first character of a program's link form.
pub const LINK_MARKER: char = '!';

/// The values of the embed's `code` view flag, which are no program.
const VIEW_FLAGS: &[&str] = &["1", "0", "true", "false", "yes", "no"];

/// Whether a `code` value is the embed's view flag (`code=1`), not a program.
pub fn is_view_flag(value: &str) -> bool {
    VIEW_FLAGS.contains(&value.trim())
}

/// Whether a link's pairs give a program (a `code` value that is no view flag) and no `pattern`:
/// such a link is a code scenario, as `awaitlab.run({code})` is. Before, its program was dropped
/// for the default pattern, with only a console warning that `code` was no flag.
pub fn implies_code_pattern(pairs: &[(&str, &str)]) -> bool {
    !pairs.iter().any(|(k, _)| *k == "pattern") && pairs.iter().any(|(k, v)| *k == "code" && !is_view_flag(v))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The link form of `source` (empty for an empty program).
pub fn to_link(source: &str) -> String {
    if source.is_empty() {
        return String::new();
    }
    let packed = DEFLATER.with(Cell::get).or_else(default_deflater).and_then(|f| f(source.as_bytes()));
    link_of(&packed.unwrap_or_else(|| stored(source.as_bytes())))
}

/// The link form of DEFLATE bytes `packed`: the marker, then base64url without padding.
fn link_of(packed: &[u8]) -> String {
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

/// Compresses a program's bytes as raw DEFLATE, or `None` when it cannot now (the page, before the
/// py_runner module that holds the compressor has loaded).
pub type Deflater = fn(&[u8]) -> Option<Vec<u8>>;

thread_local! {
    static DEFLATER: Cell<Option<Deflater>> = const { Cell::new(None) };
}

/// Registers who compresses link forms on this thread (issue 16: the compressor is 9 KB of wasm
/// the page does not link; the page registers one that asks the py_runner module).
pub fn set_deflater(deflater: Deflater) {
    DEFLATER.with(|d| d.set(Some(deflater)));
}

/// miniz's raw DEFLATE at level 9: programs are small, so the best ratio costs well under a
/// millisecond (0.5 ms for 20 KB natively). Naming this function links the compressor in.
pub fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    Some(miniz_oxide::deflate::compress_to_vec(bytes, 9))
}

/// Natively (the tests, tools) the compressor itself when none is registered.
#[cfg(not(target_arch = "wasm32"))]
fn default_deflater() -> Option<Deflater> {
    Some(deflate)
}

/// In the browser only the py_runner module links the compressor (and registers it).
#[cfg(target_arch = "wasm32")]
fn default_deflater() -> Option<Deflater> {
    None
}

/// `bytes` as raw DEFLATE without compression (stored blocks of at most 65,535 bytes): what a
/// link form is when no compressor is at hand. Any inflater reads it (the format is the same),
/// it is only longer: 4 characters per 3 bytes, within [`MAX_CODE_LINK_BYTES`] for every program.
fn stored(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / 65_535 + 1));
    let mut blocks = bytes.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        // BFINAL on the last block, BTYPE 00 (stored), the rest of the byte padding.
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// The program a `code` value holds, in either form; `Err` is a sentence for the reader.
pub fn read(value: &str) -> Result<String, String> {
    if is_view_flag(value) {
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
    fn a_link_without_a_compressor_is_stored_deflate_that_reads_back_within_the_limit() {
        for source in ["a", "import asyncio\n", "é€😀", &"x = 1\n".repeat(20_000)] {
            let bytes = source.as_bytes();
            assert_eq!(miniz_oxide::inflate::decompress_to_vec(&stored(bytes)).ok().as_deref(), Some(bytes));
        }
        let most = "é".repeat(MAX_SOURCE_BYTES / 2);
        let packed = stored(most.as_bytes());
        let link = link_of(&packed);
        assert!(link.len() <= MAX_CODE_LINK_BYTES, "{} > {MAX_CODE_LINK_BYTES}", link.len());
        assert_eq!(read(&link).as_deref(), Ok(most.as_str()));
    }

    #[test]
    fn base64url_rejects_what_it_does_not_write() {
        assert_eq!(base64url("QQ"), Some(b"A".to_vec()));
        assert_eq!(base64url("Q"), None);
        assert_eq!(base64url("QQ=="), None);
        assert_eq!(base64url("Q+/A"), None);
    }
}
