//! Which schema data an analysis uses: the embedded bundle, or the one in the configured data
//! directory (loaded once per directory and kept for the life of the process).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use samwise_data::CfnData;

use crate::Config;

/// The CloudFormation data for `config`: the data directory's when it loads, else the embedded one.
/// A directory that does not load falls back to the embedded data (the server reports the error
/// when the setting changes; see [`load_error`]).
pub(crate) fn cfn(config: &Config) -> &'static CfnData {
    let Some(dir) = &config.data_dir else { return CfnData::embedded() };
    match loaded(dir) {
        Ok(data) => data,
        Err(_) => CfnData::embedded(),
    }
}

/// Why the configured data directory cannot be used, if it cannot.
pub fn load_error(config: &Config) -> Option<String> {
    let dir = config.data_dir.as_ref()?;
    loaded(dir).err()
}

fn loaded(dir: &Path) -> Result<&'static CfnData, String> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Result<&'static CfnData, String>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(dir.to_path_buf())
        .or_insert_with(|| CfnData::from_dir(dir).map(|d| &*Box::leak(Box::new(d))).map_err(|e| e.to_string()))
        .clone()
}
