//! Client TLS: the CA to trust, an optional client certificate (mutual TLS), and hostname
//! verification that can be turned off (the chain is still verified).

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};

/// How to reach the cluster over TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// PEM file of the certificate authorities to trust.
    pub ca_file: PathBuf,
    /// PEM certificate chain and private key of this client, for mutual TLS.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// Check that the node's certificate names the address connected to (default on).
    /// Nodes are reached by IP address, so their certificates need IP subject alternative
    /// names.
    pub verify_hostname: bool,
    /// The name the node's certificate must carry, when it is not the address connected to
    /// (nodes reached through a proxy, or certificates issued for DNS names). `None`: the
    /// address. Ignored when `verify_hostname` is off.
    pub server_name: Option<String>,
}

impl TlsConfig {
    /// Trusts the CAs in `ca_file`, verifies hostnames, sends no client certificate.
    pub fn new(ca_file: impl Into<PathBuf>) -> Self {
        TlsConfig {
            ca_file: ca_file.into(),
            client_cert: None,
            verify_hostname: true,
            server_name: None,
        }
    }

    /// Builds the rustls client configuration.
    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            Error::InvalidConfig(format!("TLS: {what}: {e}"))
        };
        let mut roots = RootCertStore::empty();
        let cas = CertificateDer::pem_file_iter(&self.ca_file).map_err(|e| {
            bad(
                &format!("cannot read CA file {}", self.ca_file.display()),
                &e,
            )
        })?;
        for ca in cas {
            let ca = ca.map_err(|e| {
                bad(
                    &format!("bad certificate in {}", self.ca_file.display()),
                    &e,
                )
            })?;
            roots
                .add(ca)
                .map_err(|e| bad("unusable CA certificate", &e))?;
        }
        if roots.is_empty() {
            return Err(Error::InvalidConfig(format!(
                "TLS: no certificate in {}",
                self.ca_file.display()
            )));
        }
        let verifier = WebPkiServerVerifier::builder(Arc::new(roots))
            .build()
            .map_err(|e| bad("verifier", &e))?;
        let verifier: Arc<dyn ServerCertVerifier> = match (self.verify_hostname, &self.server_name)
        {
            (false, _) => Arc::new(NameCheck(verifier, None)),
            (true, None) => verifier,
            (true, Some(name)) => {
                let name = ServerName::try_from(name.clone())
                    .map_err(|e| bad(&format!("invalid server name {name:?}"), &e))?;
                Arc::new(NameCheck(verifier, Some(name)))
            }
        };
        let builder = rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        match &self.client_cert {
            None => Ok(builder.with_no_client_auth()),
            Some((cert, key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
                    .map_err(|e| {
                        bad(
                            &format!("cannot read client certificate {}", cert.display()),
                            &e,
                        )
                    })?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| bad(&format!("cannot read client key {}", key.display()), &e))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| bad("client certificate", &e))
            }
        }
    }
}

/// Verifies the chain and signatures, and the certificate's name against the configured one
/// (`Some`) or not at all (`None`).
#[derive(Debug)]
struct NameCheck(Arc<WebPkiServerVerifier>, Option<ServerName<'static>>);

impl ServerCertVerifier for NameCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let verified = self.0.verify_server_cert(
            end_entity,
            intermediates,
            self.1.as_ref().unwrap_or(server_name),
            ocsp,
            now,
        );
        if self.1.is_some() {
            return verified;
        }
        match verified {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                ..
            })) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_or_empty_ca_files_are_configuration_errors() {
        let err = TlsConfig::new("/nonexistent/ca.pem")
            .client_config()
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidConfig(m) if m.contains("/nonexistent/ca.pem")),
            "{err}"
        );
        let empty = std::env::temp_dir().join(format!("cqlb-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = TlsConfig::new(&empty).client_config().unwrap_err();
        std::fs::remove_file(&empty).ok();
        assert!(
            matches!(&err, Error::InvalidConfig(m) if m.contains("no certificate")),
            "{err}"
        );
    }
}
