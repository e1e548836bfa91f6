//! Semantic versions for `required_engine_version` and plugin requirements.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

/// The engine version falcorc implements (Falco's `FALCO_ENGINE_VERSION`).
pub const ENGINE_VERSION: Version = Version {
    major: 0,
    minor: 63,
    patch: 0,
};

/// Version of the built-in model of the `container` plugin.
pub const CONTAINER_PLUGIN_VERSION: Version = Version {
    major: 0,
    minor: 6,
    patch: 0,
};

impl Version {
    /// `self` (a requirement) is met by `have`: same major, `have >= self`.
    pub fn compatible_with(&self, have: &Version) -> bool {
        self.major == have.major && have >= self
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Parse `x.y.z` (a pre-release or build suffix is accepted and ignored).
pub fn parse(s: &str) -> Option<Version> {
    let core = s.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let mut num = || -> Option<u64> {
        let p = parts.next()?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let v = Version {
        major: num()?,
        minor: num()?,
        patch: num()?,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(v)
}
