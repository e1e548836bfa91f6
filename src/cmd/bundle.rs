//! `run --bundle FILE|URL`: the rules come from a bundle `falcorc build` wrote, verified
//! (digest, engine version, and with `--bundle-key` the signature) before anything in it
//! is loaded. A URL is fetched again every `--bundle-poll` seconds with its ETag (an
//! unchanged bundle is a `304`, nothing else happens); a bundle that cannot be fetched,
//! verified or compiled changes nothing: the last good one keeps running. With
//! `--bundle-cache FILE`, the last good bundle is also kept on disk and used at start when
//! the URL cannot be reached.

use super::engine::Say;
use falcorc_compiler::SourceFile;
use falcorc_runtime::bundle::fetch::{Fetched, Fetcher, is_url};
use falcorc_runtime::bundle::keys::PublicKey;
use falcorc_runtime::bundle::{self, MAX_BUNDLE_BYTES, Signature};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why the rules are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// `run` starts: nothing runs yet, so a cached bundle is better than none.
    Start,
    /// SIGHUP or a watched file: the bundle as it is now (the last good one if unchanged).
    Reload,
    /// The poll timer: only a changed bundle matters.
    Poll,
}

pub struct BundleInput {
    place: Place,
    key: Option<PublicKey>,
    cache: Option<PathBuf>,
    state: Mutex<State>,
}

enum Place {
    File(PathBuf),
    Url(Fetcher),
}

#[derive(Default)]
struct State {
    /// The ETag of the last bundle the server sent (good or not: a bad one is reported
    /// once, not at every poll).
    etag: Option<String>,
    /// The last bundle that verified and compiled.
    good: Option<Vec<u8>>,
}

/// A bundle's rules, and its bytes to keep once they compiled ([`BundleInput::keep`]).
pub struct Read {
    pub files: Vec<SourceFile>,
    pub bytes: Vec<u8>,
}

impl BundleInput {
    /// From the command line: a file or an http(s) URL, the public key that must have
    /// signed it, a CA file for HTTPS, the cache file.
    pub fn new(
        place: &str,
        key: Option<&Path>,
        ca: Option<PathBuf>,
        cache: Option<PathBuf>,
    ) -> Result<BundleInput, String> {
        let key = key
            .map(|p| PublicKey::read(p).map_err(|e| format!("--bundle-key: {e}")))
            .transpose()?;
        let place = if is_url(place) {
            Place::Url(Fetcher::new(place, ca)?)
        } else {
            Place::File(PathBuf::from(place))
        };
        Ok(BundleInput {
            place,
            key,
            cache,
            state: Mutex::new(State::default()),
        })
    }

    /// The bundle file, for `watch_config_files` (a URL is polled instead).
    pub fn file(&self) -> Option<&Path> {
        match &self.place {
            Place::File(p) => Some(p),
            Place::Url(_) => None,
        }
    }

    /// The bundle's rules, verified; `Ok(None)`: a poll found it unchanged. Every message
    /// goes to `say`; an error says why nothing new was loaded.
    pub fn read(&self, trigger: Trigger, say: Say<'_>) -> Result<Option<Read>, String> {
        let got = match &self.place {
            Place::File(p) => read_file(p).map(|b| Some((b, p.display().to_string()))),
            Place::Url(f) => self.fetch(f, trigger),
        };
        let read = got.and_then(|got| got.map(|(bytes, from)| self.verify(bytes, &from, say)).transpose());
        match (read, &self.cache, &self.place) {
            // Nothing runs yet: the last good bundle from an earlier run beats none.
            (Err(e), Some(cache), Place::Url(_)) if trigger == Trigger::Start => {
                say(format!(
                    "falcorc: warning: {e}; starting from the cached bundle {}",
                    cache.display()
                ));
                let bytes = read_file(cache)?;
                self.verify(bytes, &cache.display().to_string(), say).map(Some)
            }
            (read, _, _) => read,
        }
    }

    fn verify(&self, bytes: Vec<u8>, from: &str, say: Say<'_>) -> Result<Read, String> {
        let b = bundle::open(&bytes, self.key.as_ref()).map_err(|e| format!("bundle {from}: {e}"))?;
        let signature = match &b.signature {
            Signature::None => "unsigned".to_string(),
            Signature::Verified(id) => format!("signature verified (key {id})"),
            Signature::Unchecked(id) => format!("signed by key {id}, not checked: no --bundle-key"),
        };
        say(format!(
            "falcorc: bundle {from}: {} files, {}, built by falcorc {}, {signature}",
            b.files.len(),
            b.digest,
            b.falcorc_version
        ));
        Ok(Read { files: b.files, bytes })
    }

    /// The bundle's bytes from the server (the last good ones when it says they did not
    /// change), and where they came from; `None`: unchanged, for a poll.
    fn fetch(&self, f: &Fetcher, trigger: Trigger) -> Result<Option<(Vec<u8>, String)>, String> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let etag = match trigger {
            Trigger::Start => None,
            Trigger::Reload | Trigger::Poll => state.etag.clone(),
        };
        match f.fetch(etag.as_deref()) {
            Ok(Fetched::New { bytes, etag }) => {
                state.etag = etag;
                Ok(Some((bytes, f.url().to_string())))
            }
            Ok(Fetched::Unchanged) => match (trigger, &state.good) {
                (Trigger::Poll, _) => Ok(None),
                (_, Some(good)) => Ok(Some((good.clone(), format!("{} (unchanged)", f.url())))),
                (_, None) => Err(format!("{}: unchanged, and no good bundle from it yet", f.url())),
            },
            Err(e) => Err(e),
        }
    }

    /// `bytes` compiled: they are the last good bundle (and the cache's content).
    pub fn keep(&self, bytes: Vec<u8>, say: Say<'_>) {
        if let Some(cache) = &self.cache
            && let Place::Url(_) = self.place
            && let Err(e) = super::build::write_atomically(cache, &bytes, 0o644)
        {
            say(format!(
                "falcorc: warning: cannot keep the bundle in {}: {e}",
                cache.display()
            ));
        }
        self.state.lock().unwrap_or_else(|p| p.into_inner()).good = Some(bytes);
    }
}

fn read_file(p: &Path) -> Result<Vec<u8>, String> {
    falcorc_compiler::fs::read_bytes(p, MAX_BUNDLE_BYTES).map_err(|e| format!("bundle {}: {e}", p.display()))
}
