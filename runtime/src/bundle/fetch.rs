//! A bundle served over HTTP(S), fetched with `If-None-Match` so an unchanged bundle costs
//! a `304 Not Modified` and no download (as OPA polls its bundle servers). HTTPS verifies
//! the server against the system's CA bundle (or Mozilla's roots), or a given CA file.

use super::MAX_BUNDLE_BYTES;
use crate::output::http::{HttpOptions, agent};
use std::path::PathBuf;
use std::time::Duration;

/// Whether a bundle's place is a URL (else a file).
pub fn is_url(place: &str) -> bool {
    place.starts_with("http://") || place.starts_with("https://")
}

pub struct Fetcher {
    agent: ureq::Agent,
    url: String,
}

/// What a fetch found.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// The server's copy is the one with the ETag asked about.
    Unchanged,
    /// A bundle, and its ETag if the server sent one.
    New { bytes: Vec<u8>, etag: Option<String> },
}

impl Fetcher {
    /// A client for `url`; `ca_cert` replaces the system's roots.
    pub fn new(url: &str, ca_cert: Option<PathBuf>) -> Result<Fetcher, String> {
        let opts = HttpOptions {
            ca_cert,
            timeout: Duration::from_secs(30),
            user_agent: format!("falcorc/{}", env!("CARGO_PKG_VERSION")),
            ..HttpOptions::new(url)
        };
        Ok(Fetcher {
            agent: agent(&opts)?,
            url: url.to_string(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// GET, with `If-None-Match: etag` when one is known.
    pub fn fetch(&self, etag: Option<&str>) -> Result<Fetched, String> {
        let mut req = self.agent.get(&self.url);
        if let Some(e) = etag {
            req = req.header("If-None-Match", e);
        }
        let mut resp = req.call().map_err(|e| format!("{}: {e}", self.url))?;
        let status = resp.status().as_u16();
        match status {
            304 if etag.is_some() => Ok(Fetched::Unchanged),
            200 => {
                let etag = resp
                    .headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let bytes = resp
                    .body_mut()
                    .with_config()
                    .limit(MAX_BUNDLE_BYTES)
                    .read_to_vec()
                    .map_err(|e| format!("{}: reading the bundle: {e}", self.url))?;
                Ok(Fetched::New { bytes, etag })
            }
            _ => Err(format!("{} answered {status}", self.url)),
        }
    }
}
