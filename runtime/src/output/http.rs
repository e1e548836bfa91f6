//! Falco's `http_output`: every alert POSTed to a URL (Falcosidekick's `/`, a webhook), one
//! request per alert, on the output's own worker. HTTPS verifies the server against the
//! system's CA bundle (Falco's `ca_bundle`, `ca_path`, or one `ca_cert`), or Mozilla's roots
//! when none is readable; `mtls` adds a client certificate. A failed request (no connection,
//! a timeout, a 5xx answer) is retried with backoff, then counted as lost.

use super::sink::{Line, Sink};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig};

/// What an HTTP output needs (Falco's keys under `http_output`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOptions {
    pub url: String,
    pub user_agent: String,
    /// JSON alerts go as `application/json`, text ones as `text/plain`.
    pub json: bool,
    /// Accept any server certificate (Falco's `insecure`).
    pub insecure: bool,
    pub ca_cert: Option<PathBuf>,
    pub ca_bundle: Option<PathBuf>,
    pub ca_path: Option<PathBuf>,
    /// A client certificate and key (Falco's `mtls`, `client_cert`, `client_key`).
    pub client: Option<(PathBuf, PathBuf)>,
    /// Per request, connection included.
    pub timeout: Duration,
    /// Attempts after the first one.
    pub retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub backoff: Duration,
}

impl HttpOptions {
    /// Falco's defaults for `url`.
    pub fn new(url: &str) -> HttpOptions {
        HttpOptions {
            url: url.to_string(),
            user_agent: "falcosecurity/falco".into(),
            json: true,
            insecure: false,
            ca_cert: None,
            ca_bundle: Some("/etc/ssl/certs/ca-certificates.crt".into()),
            ca_path: Some("/etc/ssl/certs".into()),
            client: None,
            timeout: Duration::from_secs(5),
            retries: 3,
            backoff: Duration::from_millis(100),
        }
    }
}

pub struct HttpSink {
    agent: ureq::Agent,
    opts: HttpOptions,
}

impl HttpSink {
    /// Reads the certificates now: a CA or client certificate that cannot be read is an
    /// error at start, not a silent failure of every alert.
    pub fn new(opts: HttpOptions) -> Result<HttpSink, String> {
        Ok(HttpSink {
            agent: agent(&opts)?,
            opts,
        })
    }

    /// One POST and what to do next.
    fn post(&self, body: &str) -> Outcome {
        let content_type = if self.opts.json {
            "application/json"
        } else {
            "text/plain"
        };
        let body = crate::raw_text::to_bytes(body);
        match self
            .agent
            .post(&self.opts.url)
            .content_type(content_type)
            .send(&body[..])
        {
            Ok(r) => {
                let status = r.status().as_u16();
                let error = || io::Error::other(format!("{} answered {status}", self.opts.url));
                match status {
                    200..=299 => Outcome::Delivered,
                    500..=599 | 408 | 429 => Outcome::Retry(error()),
                    // A client error (4xx) will not get better by asking again.
                    _ => Outcome::Fail(error()),
                }
            }
            Err(e) => Outcome::Retry(io::Error::other(format!("{}: {e}", self.opts.url))),
        }
    }
}

/// An HTTP client with `opts`' TLS settings, timeout and user agent; statuses are
/// answers, not errors. Certificates are read now.
pub fn agent(opts: &HttpOptions) -> Result<ureq::Agent, String> {
    let mut tls = TlsConfig::builder().disable_verification(opts.insecure);
    let roots = roots(opts)?;
    if !roots.is_empty() {
        tls = tls.root_certs(RootCerts::Specific(Arc::new(roots)));
    }
    if let Some((cert, key)) = &opts.client {
        tls = tls.client_cert(Some(client_cert(cert, key)?));
    }
    let config = ureq::Agent::config_builder()
        .tls_config(tls.build())
        .timeout_global(Some(opts.timeout))
        .user_agent(opts.user_agent.as_str())
        .http_status_as_error(false)
        .build();
    Ok(ureq::Agent::new_with_config(config))
}

enum Outcome {
    Delivered,
    Retry(io::Error),
    Fail(io::Error),
}

impl Sink for HttpSink {
    fn write_line(&mut self, line: &Line) -> io::Result<()> {
        let mut wait = self.opts.backoff;
        let mut last = io::Error::other("no attempt");
        for attempt in 0..=self.opts.retries {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            match self.post(&line.text) {
                Outcome::Delivered => return Ok(()),
                Outcome::Retry(e) => last = e,
                Outcome::Fail(e) => return Err(e),
            }
        }
        Err(last)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The trusted roots: `ca_cert`, else `ca_bundle`, else the PEM files of `ca_path`
/// (empty: Mozilla's roots built in). A `ca_cert` that cannot be read is an error; the
/// bundle and the directory are Falco's defaults and may be missing.
fn roots(opts: &HttpOptions) -> Result<Vec<Certificate<'static>>, String> {
    if let Some(p) = &opts.ca_cert {
        let certs = certificates(p).map_err(|e| format!("http_output.ca_cert: {}: {e}", p.display()))?;
        if certs.is_empty() {
            return Err(format!("http_output.ca_cert: {}: no certificate in it", p.display()));
        }
        return Ok(certs);
    }
    if let Some(p) = &opts.ca_bundle
        && let Ok(certs) = certificates(p)
        && !certs.is_empty()
    {
        return Ok(certs);
    }
    let mut out = Vec::new();
    if let Some(dir) = &opts.ca_path
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "pem" || x == "crt") {
                out.extend(certificates(&p).unwrap_or_default());
            }
        }
    }
    Ok(out)
}

fn certificates(p: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let pem = read_pem(p)?;
    Ok(ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c.to_owned()),
            _ => None,
        })
        .collect())
}

fn client_cert(cert: &Path, key: &Path) -> Result<ClientCert, String> {
    let chain = certificates(cert).map_err(|e| format!("http_output.client_cert: {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "http_output.client_cert: {}: no certificate in it",
            cert.display()
        ));
    }
    let pem = read_pem(key).map_err(|e| format!("http_output.client_key: {}: {e}", key.display()))?;
    let key = ureq::tls::parse_pem(&pem)
        .find_map(|item| match item {
            Ok(PemItem::PrivateKey(k)) => Some(k.to_owned()),
            _ => None,
        })
        .ok_or_else(|| format!("http_output.client_key: {}: no private key in it", key.display()))?;
    Ok(ClientCert::new_with_certs(&chain, key))
}

/// Certificates are small; a bounded read keeps a wrong path (a device) harmless.
fn read_pem(p: &Path) -> Result<Vec<u8>, String> {
    falcorc_compiler::fs::read_bytes(p, 16 << 20).map_err(|e| e.to_string())
}
