//! The on-disk container for generated data: a small index followed by individually compressed blobs.
//!
//! Layout: the magic line `SWDATA1\n`, a little-endian `u32` length, the deflated JSON [`Index`], then
//! the blobs. Each blob is deflated on its own so that reading one resource type or one service model
//! decompresses only that entry; opening a container reads the index and nothing else.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8] = b"SWDATA1\n";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    /// Free-form provenance and small tables (package versions, licences, lists of names).
    meta: BTreeMap<String, serde_json::Value>,
    /// Entry name -> (offset from the start of the blob area, compressed length).
    entries: BTreeMap<String, (u64, u64)>,
}

/// A parsed container: the index in memory, the blobs left compressed in `bytes`.
#[derive(Debug)]
pub struct Container {
    bytes: std::borrow::Cow<'static, [u8]>,
    blob_start: usize,
    index: Index,
}

/// Why a container could not be opened or an entry not read.
#[derive(Debug)]
pub struct ContainerError(pub String);

impl std::fmt::Display for ContainerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ContainerError {}

impl Container {
    /// Opens a container held in memory (embedded with `include_bytes!` or read from a data directory).
    pub fn open(bytes: impl Into<std::borrow::Cow<'static, [u8]>>) -> Result<Container, ContainerError> {
        let bytes = bytes.into();
        let bad = |why: &str| ContainerError(format!("not a samwise data file: {why}"));
        if !bytes.starts_with(MAGIC) {
            return Err(bad("wrong header"));
        }
        let len_at = MAGIC.len();
        let len_bytes: [u8; 4] =
            bytes.get(len_at..len_at + 4).and_then(|s| s.try_into().ok()).ok_or_else(|| bad("truncated header"))?;
        let index_len = u32::from_le_bytes(len_bytes) as usize;
        let index_start = len_at + 4;
        let index_bytes = bytes.get(index_start..index_start + index_len).ok_or_else(|| bad("truncated index"))?;
        let index: Index =
            serde_json::from_slice(&inflate(index_bytes)?).map_err(|e| bad(&format!("index does not decode: {e}")))?;
        Ok(Container { blob_start: index_start + index_len, bytes, index })
    }

    /// Names of all entries, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.entries.keys().map(String::as_str)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.entries.contains_key(name)
    }

    /// A value stored in the index's metadata table.
    pub fn meta(&self, key: &str) -> Option<&serde_json::Value> {
        self.index.meta.get(key)
    }

    /// The decompressed bytes of one entry.
    pub fn get(&self, name: &str) -> Result<Option<Vec<u8>>, ContainerError> {
        let Some(&(offset, len)) = self.index.entries.get(name) else {
            return Ok(None);
        };
        let start = self.blob_start + offset as usize;
        let blob = self
            .bytes
            .get(start..start + len as usize)
            .ok_or_else(|| ContainerError(format!("entry '{name}' lies outside the data file")))?;
        inflate(blob).map(Some)
    }
}

/// Builds a container; used by `cargo xtask gen-data`.
#[derive(Debug, Default)]
pub struct ContainerWriter {
    index: Index,
    blobs: Vec<u8>,
}

impl ContainerWriter {
    pub fn new() -> ContainerWriter {
        ContainerWriter::default()
    }

    pub fn meta(&mut self, key: &str, value: serde_json::Value) {
        self.index.meta.insert(key.to_owned(), value);
    }

    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        let compressed = deflate(bytes);
        self.index.entries.insert(name.to_owned(), (self.blobs.len() as u64, compressed.len() as u64));
        self.blobs.extend_from_slice(&compressed);
    }

    pub fn finish(self) -> Vec<u8> {
        let index = deflate(&serde_json::to_vec(&self.index).expect("index serialises"));
        let mut out = Vec::with_capacity(MAGIC.len() + 4 + index.len() + self.blobs.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(index.len() as u32).to_le_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&self.blobs);
        out
    }
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

fn inflate(bytes: &[u8]) -> Result<Vec<u8>, ContainerError> {
    let mut out = Vec::new();
    DeflateDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| ContainerError(format!("corrupt compressed data: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_reads_only_named_entries() {
        let mut w = ContainerWriter::new();
        w.meta("version", serde_json::json!("1.2.3"));
        w.add("a", b"alpha");
        w.add("b", &vec![7u8; 10_000]);
        let c = Container::open(w.finish()).unwrap();
        assert_eq!(c.names().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(c.get("a").unwrap().unwrap(), b"alpha");
        assert_eq!(c.get("b").unwrap().unwrap().len(), 10_000);
        assert!(c.get("c").unwrap().is_none());
        assert_eq!(c.meta("version").unwrap(), "1.2.3");
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let err = Container::open(b"hello".to_vec()).unwrap_err();
        assert!(err.to_string().contains("wrong header"), "{err}");
        let mut truncated = ContainerWriter::new().finish();
        truncated.truncate(10);
        assert!(Container::open(truncated).is_err());
    }
}
