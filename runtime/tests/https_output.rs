//! The HTTP output over TLS, against a real rustls server on loopback with certificates
//! made for the test (rcgen): a server signed by the configured CA is trusted, one signed by
//! an unknown CA is refused unless `insecure`, and a server that requires a client
//! certificate (mTLS) gets the configured one.

use falcorc_runtime::output::http::{HttpOptions, HttpSink};
use falcorc_runtime::output::sink::{Line, Sink};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Pki {
    dir: PathBuf,
    ca_pem: PathBuf,
    server: (CertificateDer<'static>, PrivateKeyDer<'static>),
    ca_der: CertificateDer<'static>,
    client_cert: PathBuf,
    client_key: PathBuf,
}

fn pki(tag: &str) -> Pki {
    let dir = std::env::temp_dir().join(format!("falcorc-https-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["falcorc-client".to_string()])
        .unwrap()
        .signed_by(&client_key, &issuer)
        .unwrap();
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let ca_pem = write("ca.pem", ca.pem());
    let client_cert = write("client.crt", client.pem());
    let client_key = write("client.key", client_key.serialize_pem());
    Pki {
        ca_pem,
        server: (
            server.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        ),
        ca_der: ca.der().clone(),
        client_cert,
        client_key,
        dir,
    }
}

/// A TLS server on 127.0.0.1 answering 200 to each POST; bodies (or handshake errors) come
/// out of the channel.
fn server(p: &Pki, require_client: bool) -> (String, Receiver<Result<String, String>>) {
    let builder = rustls::ServerConfig::builder();
    let builder = if require_client {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(p.ca_der.clone()).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = Arc::new(
        builder
            .with_single_cert(vec![p.server.0.clone()], p.server.1.clone_key())
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/", listener.local_addr().unwrap());
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            let (config, tx) = (config.clone(), tx.clone());
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut r = BufReader::new(&mut tls);
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            return;
                        }
                    }
                    if line.trim_end().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                drop(r);
                let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                let _ = tls.flush();
                let _ = tx.send(Ok(String::from_utf8(body).unwrap()));
            });
        }
    });
    (url, rx)
}

fn opts(url: &str) -> HttpOptions {
    HttpOptions {
        ca_bundle: None,
        ca_path: None,
        timeout: Duration::from_secs(3),
        retries: 0,
        ..HttpOptions::new(url)
    }
}

fn send(o: HttpOptions) -> Result<(), String> {
    let mut sink = HttpSink::new(o)?;
    sink.write_line(&Line::new(4, "{\"rule\":\"tls\"}"))
        .map_err(|e| e.to_string())
}

#[test]
fn the_configured_ca_is_trusted_and_an_unknown_one_only_when_insecure() {
    let p = pki("ca");
    let (url, got) = server(&p, false);
    send(HttpOptions {
        ca_cert: Some(p.ca_pem.clone()),
        ..opts(&url)
    })
    .expect("trusted through ca_cert");
    assert_eq!(
        got.recv_timeout(Duration::from_secs(5)).unwrap(),
        Ok("{\"rule\":\"tls\"}".into())
    );
    // Mozilla's roots do not know the test's CA.
    let e = send(opts(&url)).expect_err("unknown issuer");
    assert!(e.to_lowercase().contains("certificate") || e.contains("issuer"), "{e}");
    send(HttpOptions {
        insecure: true,
        ..opts(&url)
    })
    .expect("insecure accepts any certificate");
    let _ = std::fs::remove_dir_all(&p.dir);
}

#[test]
fn a_server_that_requires_a_client_certificate_gets_the_configured_one() {
    let p = pki("mtls");
    let (url, _got) = server(&p, true);
    let with_ca = HttpOptions {
        ca_cert: Some(p.ca_pem.clone()),
        ..opts(&url)
    };
    assert!(send(with_ca.clone()).is_err(), "no client certificate: refused");
    send(HttpOptions {
        client: Some((p.client_cert.clone(), p.client_key.clone())),
        ..with_ca
    })
    .expect("mTLS");
    let _ = std::fs::remove_dir_all(&p.dir);
}
